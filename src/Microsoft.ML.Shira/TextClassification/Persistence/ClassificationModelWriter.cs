using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.ModelFiles.BaseModels;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.Models.Pretrained;

namespace Microsoft.ML.Shira.TextClassification.Persistence;

/// <summary>
/// Writes a text classifier into a model file: settings (columns, batch size, maximum length, adapters, active selection)
/// into the manifest; the base model reference (or weights); per adapter <c>adapters/&lt;i&gt;/</c> with the PEFT files,
/// <c>classifier_head.safetensors</c> and, when the label had key values, <c>label_key_values.zip</c>.
/// </summary>
internal static class ClassificationModelWriter
{
    public const string KeyValuesFileName = "label_key_values.zip";

    public static void Write(ShiraTextClassificationTransformer transformer, ShiraModelWriter writer)
    {
        transformer.ThrowIfDisposed();
        var engine = transformer.Engine;
        var selection = transformer.Selection;
        var entries = engine.Snapshot();
        var settings = writer.Settings;
        settings["columns"] = ClassificationSettings.Columns(transformer.Names);
        settings["batchSize"] = transformer.BatchSize;
        settings["maxSequenceLength"] = transformer.MaxSequenceLength;
        settings["hiddenSize"] = engine.HiddenSize;
        BaseModelEntries.Write(writer, engine.BaseModel.Id, engine.BaseFingerprint, engine.BaseModel.IsBuiltIn, () => engine.WithBaseWeights(BaseFiles));

        var adapters = new JsonArray();
        for (int i = 0; i < entries.Count; i++)
        {
            var (adapter, head) = entries[i];
            string folder = $"adapters/{i}/";
            var (weights, config) = PeftShiraAdapterFile.ToBytes(adapter);
            writer.Write(folder + PeftShiraAdapterFile.WeightsFileName, weights);
            writer.Write(folder + PeftShiraAdapterFile.ConfigFileName, config, compress: true);
            writer.Write(folder + ShiraClassificationHeadFile.FileName, ShiraClassificationHeadFile.ToBytes(head));
            string? keyValues = null;
            if (LabelKeyValuesSchema.Create(head) is { } schema)
            {
                keyValues = folder + KeyValuesFileName;
                writer.WriteSchema(keyValues, schema);
            }
            adapters.Add(new JsonObject
            {
                ["name"] = adapter.Name,
                ["folder"] = folder,
                ["parameters"] = adapter.ParameterCount,
                ["classes"] = head.ClassCount,
                ["binary"] = head.IsBinary,
                ["classNames"] = head.ClassNames is null ? null : new JsonArray(head.ClassNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["labelKeyValues"] = keyValues,
            });
        }
        settings["adapters"] = adapters;
        var names = entries.Select(e => e.Adapter.Name).ToHashSet(StringComparer.Ordinal);
        var missing = selection.Names.FirstOrDefault(n => !names.Contains(n));
        if (missing is not null)
            throw new InvalidOperationException($"The transformer selects adapter '{missing}', which was removed from the model while saving.");
        settings["active"] = ClassificationSettings.Selection(selection);
    }

    /// <summary>The Hugging Face folder of the base encoder (which must hold its plain base weights).</summary>
    private static IReadOnlyDictionary<string, byte[]> BaseFiles(PretrainedEncoder encoder)
    {
        var utf8 = new UTF8Encoding(false);
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [HuggingFaceLoader.ConfigFileName] = utf8.GetBytes(encoder.Model.ToConfigJson()),
            [HuggingFaceLoader.WeightsFileName] = HuggingFaceExporter.WeightsToBytes(encoder.Model),
            [PretrainedEncoders.VocabFileName] = encoder.Tokenizer.VocabularyBytes,
            [PretrainedEncoders.TokenizerConfigFileName] = utf8.GetBytes(PretrainedEncoders.TokenizerConfigJson(encoder.Tokenizer)),
        };
    }
}
