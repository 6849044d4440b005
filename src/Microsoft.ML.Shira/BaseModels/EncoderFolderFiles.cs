using System.Text;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>
/// The Hugging Face folder of an encoder as it is in memory: <c>config.json</c> and <c>model.safetensors</c> from the
/// model (its current weights) and the tokenizer's files (<see cref="IEncoderTokenizer.FolderFiles"/>), so that
/// <see cref="PretrainedEncoders"/> reads back the same encoder and tokenizer.
/// </summary>
internal static class EncoderFolderFiles
{
    /// <summary>The folder's files (name → bytes).</summary>
    public static IReadOnlyDictionary<string, byte[]> Create(ISentenceEncoder model, IEncoderTokenizer tokenizer)
    {
        var files = new Dictionary<string, byte[]>(tokenizer.FolderFiles(), StringComparer.Ordinal)
        {
            [HuggingFaceLoader.ConfigFileName] = new UTF8Encoding(false).GetBytes(model.ToConfigJson()),
            [HuggingFaceLoader.WeightsFileName] = HuggingFaceExporter.WeightsToBytes(model),
        };
        return files;
    }
}
