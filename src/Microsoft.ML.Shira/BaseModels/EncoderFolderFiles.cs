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
    /// Writes the weights into <paramref name="weightsDirectory"/> (<c>model.safetensors</c>, or shards of at most
    /// <paramref name="maxShardBytes"/> with their index) and returns the other files (name → bytes).
    /// </summary>
    public static IReadOnlyDictionary<string, byte[]> Create(ISentenceEncoder model, IEncoderTokenizer tokenizer, string weightsDirectory, long maxShardBytes)
    {
        HuggingFaceExporter.SaveWeights(model, weightsDirectory, maxShardBytes);
        return new Dictionary<string, byte[]>(tokenizer.FolderFiles(), StringComparer.Ordinal)
        {
            [HuggingFaceLoader.ConfigFileName] = new UTF8Encoding(false).GetBytes(model.ToConfigJson()),
        };
    }
}
