using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.Tasks;
using Microsoft.ML.Shira.TextGeneration.Data;
using Microsoft.ML.Shira.TextGeneration.Inference;
using Microsoft.ML.Shira.TextGeneration.Training;

[assembly: Microsoft.ML.Shira.ModelFiles.Persistence.ShiraTransformerLoader(typeof(Microsoft.ML.Shira.TextGeneration.Persistence.GenerationTransformerLoader))]

namespace Microsoft.ML.Shira.TextGeneration.Persistence;

/// <summary>
/// Rebuilds a <see cref="ShiraTextGenerationTransformer"/>: reads and checks every adapter first, then loads the base
/// decoder (embedded or built in) with the saved stop ids, verifies its fingerprint, and registers the adapters and the
/// active selection.
/// </summary>
internal sealed class GenerationTransformerLoader
    : ShiraTransformerLoader<PretrainedDecoder, GeneratorEngine, SparseAdapter>
{
    public const string KindName = "text-generation";

    public GenerationTransformerLoader()
        : base(KindName, "text generator", "an adapter")
    {
    }

    public override ITransformer Load(ShiraModelReader reader)
    {
        var settings = reader.Settings;
        var names = GenerationSettings.Columns(settings.Object("columns"));
        var generation = GenerationSettings.Options(settings.Object("generation"));
        int batchSize = settings.Int("batchSize");
        int maxLength = settings.Int("maxSequenceLength");
        bool appendsEos = settings.Bool("appendsEndOfSequence");
        int? sequenceEnd = settings.Json["sequenceEndTokenId"] is null ? null : settings.Int("sequenceEndTokenId");
        var stopIds = settings.Ints("endOfSequenceIds");
        if (batchSize < 1)
            throw settings.Error($"is {batchSize}; it must be at least 1.", "batchSize");
        if (maxLength < 2)
            throw settings.Error($"is {maxLength}; it must be at least 2.", "maxSequenceLength");
        if (appendsEos != sequenceEnd.HasValue)
            throw settings.Error($"is {(sequenceEnd is null ? "null" : sequenceEnd.ToString())} but appendsEndOfSequence is {appendsEos}.", "sequenceEndTokenId");
        var adapters = settings.Objects("adapters").Select(node => AdapterFolders.Read(reader, node)).ToList();
        var adapterNames = AdapterFolders.DistinctNames(settings, adapters.Select(a => a.Adapter.Name).ToList());
        var selection = GenerationSettings.Selection(settings, "active", adapterNames);

        var reference = BaseModelSettings.Read(reader);
        var (baseModel, loaded) = LoadBase(reader, reference);
        var decoder = new PretrainedDecoder(loaded.Name, loaded.Model, loaded.Tokenizer, stopIds);
        return Build(reader, reference, decoder, adapters, selection,
            device =>
            {
                decoder.Model.Module.to(device);
                return new GeneratorEngine(baseModel, decoder, new SequenceBuilder(decoder.Tokenizer, maxLength, sequenceEnd), device);
            },
            engine => new ShiraTextGenerationTransformer(reader.Context, engine, names, batchSize, appendsEos, generation, selection));
    }

    protected override nn.Module ModuleOf(PretrainedDecoder model) => model.Model.Module;

    protected override void AddAdapter(GeneratorEngine engine, SparseAdapter adapter) => engine.Add(adapter);

    private (ShiraDecoderBaseModel BaseModel, PretrainedDecoder Decoder) LoadBase(ShiraModelReader reader, BaseModelReference reference)
    {
        if (reference.Embedded is { } files)
        {
            var decoder = PretrainedDecoders.Load(files, LoadOptions(reference));
            // Training with a base loaded from the file reloads its weights from the file. Its tokenizer files are kept in
            // memory, so the model can be saved again with its base embedded.
            var tokenizerFiles = new MemoryModelFileSource(DecoderFolderFiles.TokenizerFiles(files), reader.EntryName(reference.EmbeddedFolder!));
            var reload = ReloadEmbedded(reader, reference, PretrainedDecoders.Load);
            return (ShiraDecoderBaseModel.Create(reference.Id, reload, () => tokenizerFiles), decoder);
        }
        var builtIn = ShiraDecoderBaseModel.FindBuiltIn(reference.Id) ?? throw BaseModelSettings.NotAvailable(reader, reference);
        return (builtIn, builtIn.Load(LoadOptions(reference)));
    }
}
