using System.Text;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>
/// The Hugging Face folder of an encoder as it is in memory: <c>config.json</c> and the weights from the model (its
/// current weights) and the tokenizer's files (<see cref="IEncoderTokenizer.FolderFiles"/>), so that
/// <see cref="PretrainedEncoders"/> reads back the same encoder and tokenizer.
/// </summary>
internal static class EncoderFolderFiles
{
    /// <summary>
    /// Writes the folder into <paramref name="directory"/>, all files or none: the weights (<c>model.safetensors</c>, or
    /// shards of at most <paramref name="maxShardBytes"/> with their index), configuration, tokenizer files and
    /// <paramref name="extraFiles"/>.
    /// </summary>
    /// <returns>The names of the files written.</returns>
    public static IReadOnlyList<string> Write(ISentenceEncoder model, IEncoderTokenizer tokenizer, string directory, long maxShardBytes,
        IReadOnlyDictionary<string, byte[]>? extraFiles = null)
    {
        var files = new Dictionary<string, byte[]>(tokenizer.FolderFiles(), StringComparer.Ordinal)
        {
            [HuggingFaceLoader.ConfigFileName] = new UTF8Encoding(false).GetBytes(model.ToConfigJson()),
        };
        foreach (var (name, data) in extraFiles ?? new Dictionary<string, byte[]>())
            files[name] = data;
        return HuggingFaceExporter.SaveFolder(model, directory, maxShardBytes, files);
    }
}
