using Microsoft.ML.Shira.Checkpoints;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;

namespace Microsoft.ML.Shira.Text;

/// <summary>Finds and loads the tokenizer of a Hugging Face model folder.</summary>
public static class CausalLMTokenizers
{
    /// <summary>File name of a SentencePiece model.</summary>
    public const string SentencePieceFileName = "tokenizer.model";

    /// <summary>
    /// Loads the folder's tokenizer. Supported today: SentencePiece (<c>tokenizer.model</c>, LLaMA).
    /// Byte-level BPE (<c>vocab.json</c> + <c>merges.txt</c>, GPT-2) is the next format to add here.
    /// </summary>
    /// <exception cref="ShiraFormatException">No supported tokenizer file, or a corrupt one; the message names the file.</exception>
    public static ICausalLMTokenizer Load(IModelFileSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Exists(SentencePieceFileName))
            return SentencePieceCausalLMTokenizer.FromBytes(source.ReadAllBytes(SentencePieceFileName), source.Describe(SentencePieceFileName));
        throw new ShiraFormatException($"Tokenizer not found: '{source.Describe(SentencePieceFileName)}' does not exist (only SentencePiece tokenizers are supported so far).");
    }

    /// <summary>Loads the tokenizer of the model folder <paramref name="directory"/>.</summary>
    public static ICausalLMTokenizer Load(string directory) => Load(new DirectoryModelFileSource(directory));
}
