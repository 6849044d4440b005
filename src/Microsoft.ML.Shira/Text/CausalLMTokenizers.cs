using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira.Text;

/// <summary>Finds and loads the tokenizer of a Hugging Face model folder.</summary>
internal static class CausalLMTokenizers
{
    /// <summary>File name of a SentencePiece model.</summary>
    public const string SentencePieceFileName = "tokenizer.model";

    /// <summary>
    /// Loads the folder's tokenizer: SentencePiece when <c>tokenizer.model</c> exists (LLaMA, Mistral, Phi-3, Gemma;
    /// with the added tokens of <c>tokenizer.json</c> or <c>added_tokens.json</c>), else byte-level BPE from
    /// <c>tokenizer.json</c> or <c>vocab.json</c> + <c>merges.txt</c> (GPT-2; see <see cref="ByteLevelBpeCausalLMTokenizer.Load(IModelFileSource)"/>).
    /// </summary>
    /// <exception cref="ShiraFormatException">No supported tokenizer file, or a corrupt one; the message names the file.</exception>
    public static ICausalLMTokenizer Load(IModelFileSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Exists(SentencePieceFileName))
        {
            var (added, prefixEverySegment) = SentencePieceAddedTokens.Read(source);
            return SentencePieceCausalLMTokenizer.FromBytes(source.ReadAllBytes(SentencePieceFileName), source.Describe(SentencePieceFileName), added, prefixEverySegment);
        }
        if (ByteLevelBpeCausalLMTokenizer.IsPresent(source))
            return ByteLevelBpeCausalLMTokenizer.Load(source);
        throw new ShiraFormatException(
            $"Tokenizer not found: none of '{source.Describe(SentencePieceFileName)}', '{source.Describe(ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName)}', " +
            $"or '{source.Describe(ByteLevelBpeCausalLMTokenizer.VocabFileName)}' with '{source.Describe(ByteLevelBpeCausalLMTokenizer.MergesFileName)}' exists.");
    }

    /// <summary>Loads the tokenizer of the model folder <paramref name="directory"/>.</summary>
    public static ICausalLMTokenizer Load(string directory) => Load(new DirectoryModelFileSource(directory));
}
