using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>
/// The Hugging Face folder of a decoder as it is in memory: <c>config.json</c> and <c>model.safetensors</c> from the
/// model (its current weights), the base model's original tokenizer files, and a <c>generation_config.json</c> holding
/// the decoder's stop ids, so that <see cref="PretrainedDecoders.Load(IModelFileSource, HuggingFaceLoadOptions?)"/>
/// reads back the same model, tokenizer and end-of-sequence ids.
/// </summary>
internal static class DecoderFolderFiles
{
    /// <summary>Name of the file holding <c>eos_token_id</c>.</summary>
    public const string GenerationConfigFileName = "generation_config.json";

    /// <summary>Tokenizer files copied from the base model's folder when present.</summary>
    private static readonly string[] TokenizerFileNames =
    [
        CausalLMTokenizers.SentencePieceFileName,
        ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName,
        ByteLevelBpeCausalLMTokenizer.VocabFileName,
        ByteLevelBpeCausalLMTokenizer.MergesFileName,
        ByteLevelBpeCausalLMTokenizer.TokenizerConfigFileName,
        "special_tokens_map.json",
        "added_tokens.json",
    ];

    /// <summary>
    /// Writes the folder into <paramref name="directory"/>, all files or none: the weights (<c>model.safetensors</c>, or
    /// shards of at most <paramref name="maxShardBytes"/> with their index), configuration, stop ids, the base model's
    /// tokenizer files and <paramref name="extraFiles"/>.
    /// </summary>
    /// <returns>The names of the files written.</returns>
    /// <param name="decoder">The decoder, with the weights to write.</param>
    /// <param name="baseModel">The base model whose tokenizer files are copied.</param>
    /// <param name="directory">Folder written (created when missing).</param>
    /// <param name="maxShardBytes">Largest weights file.</param>
    /// <param name="extraFiles">Further files of the folder.</param>
    /// <exception cref="InvalidOperationException">The model cannot be written as a Hugging Face folder, or the base model's files cannot be read.</exception>
    public static IReadOnlyList<string> Write(PretrainedDecoder decoder, ShiraBaseModel baseModel, string directory, long maxShardBytes,
        IReadOnlyDictionary<string, byte[]>? extraFiles = null)
    {
        if (decoder.Model is not IHuggingFaceModel model)
            throw new InvalidOperationException($"The base model '{baseModel.Id}' ({decoder.Model.GetType().Name}) cannot be written as a Hugging Face model folder.");
        var source = baseModel.Files
            ?? throw new InvalidOperationException($"The tokenizer files of the base model '{baseModel.Id}' are not available (it was loaded from a stream).");
        var utf8 = new UTF8Encoding(false);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [HuggingFaceLoader.ConfigFileName] = utf8.GetBytes(model.ToConfigJson()),
            [GenerationConfigFileName] = utf8.GetBytes(GenerationConfigJson(decoder.EndOfSequenceIds)),
        };
        foreach (var (name, data) in TokenizerFiles(source).Concat(extraFiles ?? new Dictionary<string, byte[]>()))
            files[name] = data;
        return HuggingFaceExporter.SaveFolder(model, directory, maxShardBytes, files);
    }

    /// <summary>The tokenizer files of <paramref name="source"/> that exist (name → bytes).</summary>
    public static IReadOnlyDictionary<string, byte[]> TokenizerFiles(IModelFileSource source) =>
        TokenizerFileNames.Where(source.Exists).ToDictionary(name => name, source.ReadAllBytes, StringComparer.Ordinal);

    /// <summary><c>{"eos_token_id": [...]}</c>.</summary>
    public static string GenerationConfigJson(IReadOnlyList<int> endOfSequenceIds) =>
        new JsonObject { ["eos_token_id"] = new JsonArray(endOfSequenceIds.Select(id => (JsonNode)JsonValue.Create(id)).ToArray()) }.ToJsonString();
}
