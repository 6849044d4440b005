using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.Models;

namespace Microsoft.ML.Shira.TextGeneration.Persistence;

/// <summary>
/// Writes a text generator into a model file: settings (columns, generation options, maximum length, end-of-sequence
/// behaviour, batch size, adapters, active selection) into the manifest; the base model reference (or, embedded, its
/// Hugging Face folder with the tokenizer files); per adapter <c>adapters/&lt;i&gt;/</c> with the PEFT files.
/// </summary>
internal static class GenerationModelWriter
{
    public static void Write(ShiraTextGenerationTransformer transformer, ShiraModelWriter writer)
    {
        transformer.ThrowIfDisposed();
        var engine = transformer.Engine;
        var selection = transformer.Selection;
        var adapters = engine.Snapshot();
        var settings = writer.Settings;
        settings["columns"] = GenerationSettings.Columns(transformer.Names);
        settings["generation"] = GenerationSettings.Options(transformer.Generation);
        settings["maxSequenceLength"] = transformer.MaxSequenceLength;
        settings["appendsEndOfSequence"] = transformer.AppendsEndOfSequence;
        settings["sequenceEndTokenId"] = engine.Sequences.EndOfSequenceId;
        settings["endOfSequenceIds"] = new JsonArray(engine.EndOfSequenceIds.Select(id => (JsonNode)JsonValue.Create(id)).ToArray());
        settings["batchSize"] = transformer.BatchSize;
        var baseModel = engine.BaseModel;
        BaseModelSettings.Write(writer, baseModel.Id, engine.BaseFingerprint, baseModel.IsBuiltIn,
            () => engine.WithBaseWeights(decoder => DecoderFolderFiles.Create(decoder, baseModel)));

        var fanInFanOut = FanInFanOutModules(engine);
        settings["adapters"] = new JsonArray(adapters.Select((adapter, i) => (JsonNode)AdapterFolders.Write(writer, i, adapter, fanInFanOut).Entry).ToArray());
        AdapterFolders.RequireSelected(selection, adapters);
        settings["active"] = GenerationSettings.Selection(selection);
    }

    /// <summary>The Conv1D modules of a GPT-2 base (empty for LLaMA), whose adapter indices PEFT stores transposed.</summary>
    public static IReadOnlySet<string>? FanInFanOutModules(Inference.GeneratorEngine engine) =>
        engine.WithDecoder(decoder => (decoder.Model as IHuggingFaceModel)?.FanInFanOutModules);
}
