using System.Text;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>
/// The Hugging Face folder of an encoder as it is in memory: <c>config.json</c> and <c>model.safetensors</c> from the
/// model (its current weights) and the tokenizer's <c>vocab.txt</c> and <c>tokenizer_config.json</c>, so that
/// <see cref="PretrainedEncoders"/> reads back the same encoder and tokenizer.
/// </summary>
internal static class EncoderFolderFiles
{
    /// <summary>The folder's files (name → bytes).</summary>
    public static IReadOnlyDictionary<string, byte[]> Create(BertModel model, BertTextTokenizer tokenizer)
    {
        var utf8 = new UTF8Encoding(false);
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [HuggingFaceLoader.ConfigFileName] = utf8.GetBytes(model.ToConfigJson()),
            [HuggingFaceLoader.WeightsFileName] = HuggingFaceExporter.WeightsToBytes(model),
            [PretrainedEncoders.VocabFileName] = tokenizer.VocabularyBytes,
            [PretrainedEncoders.TokenizerConfigFileName] = utf8.GetBytes(PretrainedEncoders.TokenizerConfigJson(tokenizer)),
        };
    }
}
