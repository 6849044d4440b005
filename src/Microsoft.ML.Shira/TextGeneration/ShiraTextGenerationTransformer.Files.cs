using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.TextGeneration.Inference;
using Microsoft.ML.Shira.TextGeneration.Persistence;
using Microsoft.ML.Shira.TextGeneration.Schema;

namespace Microsoft.ML.Shira.TextGeneration;

/// <summary>
/// A text generator in a model file: settings (columns, generation options, maximum length, end-of-sequence behaviour,
/// batch size; the active selection); the base model embedded with its tokenizer files when asked for; per adapter its
/// PEFT files (GPT-2's Conv1D modules in their stored layout).
/// </summary>
public sealed partial class ShiraTextGenerationTransformer
{
    internal override string Kind => GenerationTransformerLoader.KindName;

    internal GenerationColumns Names => _names;

    private protected override void WriteSettings(JsonObject settings)
    {
        settings["columns"] = GenerationSettings.Columns(_names);
        settings["generation"] = GenerationSettings.Options(_generation);
        settings["maxSequenceLength"] = MaxSequenceLength;
        settings["appendsEndOfSequence"] = AppendsEndOfSequence;
        settings["sequenceEndTokenId"] = _engine.Sequences.EndOfSequenceId;
        settings["endOfSequenceIds"] = new JsonArray(_engine.EndOfSequenceIds.Select(id => (JsonNode)JsonValue.Create(id)).ToArray());
        settings["batchSize"] = BatchSize;
    }

    private protected override JsonNode SelectionJson(FusedAdapterSelection selection) => GenerationSettings.Selection((GeneratorSelection)selection);

    private protected override IReadOnlyList<string> WriteFolder(string directory, long maxShardBytes, IReadOnlyDictionary<string, byte[]> extraFiles) =>
        _engine.WriteFolder(directory, maxShardBytes, extraFiles);
}
