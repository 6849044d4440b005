using System.Text;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>Loads causal language models together with their tokenizers.</summary>
internal static class PretrainedDecoders
{
    /// <summary>Prefix of the manifest resources that hold the stories260K folder (followed by the file name).</summary>
    public const string Stories260KResourcePrefix = "Microsoft.ML.Shira.Resources.stories260K.";

    /// <summary>
    /// Karpathy's stories260K (Llama-2 architecture, 260K parameters, TinyStories, MIT licence), embedded in this assembly:
    /// no file access. Stories are separated by BOS, so generation stops at BOS (1) and EOS (2).
    /// </summary>
    public static PretrainedDecoder Stories260K(HuggingFaceLoadOptions? options = null) =>
        Load(Stories260KFiles(), options, extraEndOfSequenceIds: new[] { 1 }, name: "stories260K");

    /// <summary>The embedded stories260K folder's files.</summary>
    public static IModelFileSource Stories260KFiles() => new EmbeddedModelFileSource(typeof(PretrainedDecoders).Assembly, Stories260KResourcePrefix);

    /// <summary>Loads a Hugging Face model folder with its tokenizer.</summary>
    public static PretrainedDecoder Load(string directory, HuggingFaceLoadOptions? options = null) =>
        Load(new DirectoryModelFileSource(directory), options);

    /// <summary>Loads a model folder (from any source) with its tokenizer.</summary>
    /// <exception cref="ShiraFormatException">Files missing or invalid, or the model is not a causal language model.</exception>
    public static PretrainedDecoder Load(IModelFileSource source, HuggingFaceLoadOptions? options = null) =>
        Load(source, options, Array.Empty<int>(), source.ToString() ?? "model");

    private static PretrainedDecoder Load(IModelFileSource source, HuggingFaceLoadOptions? options, int[] extraEndOfSequenceIds, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tokenizer = CausalLMTokenizers.Load(source);
        var model = HuggingFaceLoader.Load(source, options);
        if (model is not ICausalLanguageModel causal)
        {
            string type = model.ModelType;
            model.Dispose();
            throw new ShiraFormatException($"Config file '{source.Describe(HuggingFaceLoader.ConfigFileName)}' describes a '{type}' model, which is not a causal language model.");
        }
        var endOfSequence = ReadEndOfSequenceIds(source, tokenizer).Concat(extraEndOfSequenceIds).Distinct().ToArray();
        return new PretrainedDecoder(name, causal, tokenizer, endOfSequence);
    }

    /// <summary><c>eos_token_id</c> of <c>generation_config.json</c>, else of <c>config.json</c>, else the tokenizer's EOS.</summary>
    private static IEnumerable<int> ReadEndOfSequenceIds(IModelFileSource source, ICausalLMTokenizer tokenizer)
    {
        foreach (string file in new[] { "generation_config.json", HuggingFaceLoader.ConfigFileName })
        {
            if (!source.Exists(file))
                continue;
            var config = HuggingFaceConfig.Parse(Encoding.UTF8.GetString(source.ReadAllBytes(file)), source.Describe(file));
            var ids = config.GetInt64List("eos_token_id");
            if (ids.Count > 0)
                return ids.Select(id => checked((int)id));
        }
        return tokenizer.EosTokenId is int eos ? new[] { eos } : Array.Empty<int>();
    }
}
