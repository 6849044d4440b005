using System.Text.Json.Nodes;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.ModelFiles.Persistence;

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
        BaseModelSettings.Write(writer, engine.BaseModel.Id, engine.BaseFingerprint, engine.BaseModel.IsBuiltIn,
            () => engine.WithBaseWeights(encoder => EncoderFolderFiles.Create(encoder.Model, encoder.Tokenizer)));

        var adapters = new JsonArray();
        for (int i = 0; i < entries.Count; i++)
        {
            var (adapter, head) = entries[i];
            var (folder, entry) = AdapterFolders.Write(writer, i, adapter);
            writer.Write(folder + ShiraClassificationHeadFile.FileName, ShiraClassificationHeadFile.ToBytes(head));
            string? keyValues = null;
            if (LabelKeyValuesSchema.Create(head) is { } schema)
            {
                keyValues = folder + KeyValuesFileName;
                writer.WriteSchema(keyValues, schema);
            }
            entry["classes"] = head.ClassCount;
            entry["binary"] = head.IsBinary;
            entry["classNames"] = head.ClassNames is null ? null : new JsonArray(head.ClassNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray());
            entry["labelKeyValues"] = keyValues;
            adapters.Add(entry);
        }
        settings["adapters"] = adapters;
        AdapterFolders.RequireSelected(selection, entries.Select(e => e.Adapter));
        settings["active"] = ClassificationSettings.Selection(selection);
    }
}
