using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.TextClassification.Inference;
using Microsoft.ML.Shira.TextClassification.Persistence;
using Microsoft.ML.Shira.TextClassification.Schema;

namespace Microsoft.ML.Shira.TextClassification;

/// <summary>
/// A text classifier in a model file: settings (columns, batch size, maximum length, hidden size; the active
/// selection with its head); per adapter, besides its PEFT files, <c>classifier_head.safetensors</c> and, when the label
/// had key values, <c>label_key_values.zip</c>. Exports write the head next to the PEFT or fused folder.
/// </summary>
public sealed partial class ShiraTextClassificationTransformer
{
    internal const string KeyValuesFileName = "label_key_values.zip";

    internal override string Kind => ClassificationTransformerLoader.KindName;

    internal ClassificationColumns Names => _names;

    private protected override void WriteSettings(JsonObject settings)
    {
        settings["columns"] = ClassificationSettings.Columns(_names);
        settings["batchSize"] = BatchSize;
        settings["maxSequenceLength"] = MaxSequenceLength;
        settings["hiddenSize"] = _engine.HiddenSize;
    }

    private protected override void WriteAdapterFiles(ShiraModelWriter writer, AdapterEntry entry, string folder, JsonObject json)
    {
        var head = ((ClassifierEntry)entry).Head;
        writer.Write(folder + ShiraClassificationHeadFile.FileName, ShiraClassificationHeadFile.ToBytes(head));
        string? keyValues = null;
        if (LabelKeyValuesSchema.Create(head) is { } schema)
        {
            keyValues = folder + KeyValuesFileName;
            writer.WriteSchema(keyValues, schema);
        }
        json["classes"] = head.ClassCount;
        json["binary"] = head.IsBinary;
        json["classNames"] = head.ClassNames is null ? null : new JsonArray(head.ClassNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray());
        json["labelKeyValues"] = keyValues;
    }

    private protected override JsonNode SelectionJson(FusedAdapterSelection selection) => ClassificationSettings.Selection((ClassifierSelection)selection);

    private protected override IReadOnlyList<string> WriteFolder(string directory, long maxShardBytes, IReadOnlyDictionary<string, byte[]> extraFiles) =>
        _engine.WriteFolder(directory, maxShardBytes, extraFiles);

    private protected override IReadOnlyDictionary<string, byte[]> ExportAdapterFiles(string adapterName) =>
        new Dictionary<string, byte[]> { [ShiraClassificationHeadFile.FileName] = ShiraClassificationHeadFile.ToBytes(GetHead(adapterName)) };

    private protected override IReadOnlyDictionary<string, byte[]> ExportFusedFiles(FusedAdapterSelection selection) =>
        new Dictionary<string, byte[]> { [ShiraClassificationHeadFile.FileName] = ShiraClassificationHeadFile.ToBytes(GetHead(((ClassifierSelection)selection).Head)) };
}
