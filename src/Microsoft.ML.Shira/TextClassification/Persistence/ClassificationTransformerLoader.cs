using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.ModelFiles.Manifest;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.Tasks;
using Microsoft.ML.Shira.TextClassification.Inference;

[assembly: Microsoft.ML.Shira.ModelFiles.Persistence.ShiraTransformerLoader(typeof(Microsoft.ML.Shira.TextClassification.Persistence.ClassificationTransformerLoader))]

namespace Microsoft.ML.Shira.TextClassification.Persistence;

/// <summary>
/// Rebuilds a <see cref="ShiraTextClassificationTransformer"/>: reads and checks every adapter and head first, then loads
/// the base model (embedded or built in), verifies its fingerprint, and registers the adapters and the active selection.
/// </summary>
internal sealed class ClassificationTransformerLoader
    : ShiraTransformerLoader<PretrainedEncoder, ClassifierEngine, (SparseAdapter Adapter, ShiraClassificationHead Head)>
{
    public const string KindName = "text-classification";

    public ClassificationTransformerLoader()
        : base(KindName, "text classifier", "an adapter or head")
    {
    }

    public override ITransformer Load(ShiraModelReader reader)
    {
        var settings = reader.Settings;
        var names = ClassificationSettings.Columns(settings.Object("columns"));
        int batchSize = settings.Int("batchSize");
        int maxLength = settings.Int("maxSequenceLength");
        if (batchSize < 1)
            throw settings.Error($"is {batchSize}; it must be at least 1.", "batchSize");
        if (maxLength < 3)
            throw settings.Error($"is {maxLength}; it must be at least 3.", "maxSequenceLength");
        var adapters = settings.Objects("adapters").Select(node => ReadAdapter(reader, node)).ToList();
        if (adapters.Count == 0)
            throw settings.Error("is empty; a text classifier has at least one adapter.", "adapters");
        var adapterNames = AdapterFolders.DistinctNames(settings, adapters.Select(a => a.Saved.Adapter.Name).ToList());
        var selection = ClassificationSettings.Selection(settings.Object("active"), adapterNames);

        var reference = BaseModelSettings.Read(reader);
        var (baseModel, encoder) = LoadBase(reader, reference);
        return Build(reader, reference, encoder, adapters, selection,
            device =>
            {
                encoder.Model.Module.to(device);
                return new ClassifierEngine(baseModel, encoder, encoder.Tokenizer.WithMaxLength(maxLength), device);
            },
            engine => new ShiraTextClassificationTransformer(reader.Context, engine, names, batchSize, selection));
    }

    protected override nn.Module ModuleOf(PretrainedEncoder model) => model.Model.Module;

    protected override void AddAdapter(ClassifierEngine engine, (SparseAdapter Adapter, ShiraClassificationHead Head) adapter) =>
        engine.Add(adapter.Adapter, adapter.Head);

    private static ((SparseAdapter Adapter, ShiraClassificationHead Head) Saved, string Folder) ReadAdapter(ShiraModelReader reader, ManifestNode node)
    {
        var (adapter, folder) = AdapterFolders.Read(reader, node);
        string source = AdapterFolders.Source(reader, folder);
        var head = ShiraClassificationHeadFile.FromBytes(reader.Read(folder + ShiraClassificationHeadFile.FileName), $"{source}/{ShiraClassificationHeadFile.FileName}");
        if (node.OptionalString("labelKeyValues") is { } keyValues)
        {
            var annotations = LabelKeyValuesSchema.Read(reader.ReadSchema(keyValues), head)
                ?? throw reader.EntryError(keyValues, $"does not hold the {head.ClassCount} key values of adapter '{adapter.Name}''s labels.");
            head = new ShiraClassificationHead(head.WeightArray, head.BiasArray, head.ClassNames, head.IsBinary) { LabelAnnotations = annotations };
        }
        return ((adapter, head), folder);
    }

    private (ShiraEncoderBaseModel BaseModel, PretrainedEncoder Encoder) LoadBase(ShiraModelReader reader, BaseModelReference reference)
    {
        if (reference.Embedded is { } files)
        {
            var encoder = PretrainedEncoders.Load(files, reference.Id, LoadOptions(reference));
            // Training with a base loaded from the file (e.g. a new adapter for the same base) reloads its weights from the file.
            return (ShiraEncoderBaseModel.Create(reference.Id, ReloadEmbedded(reader, reference, (folder, options) => PretrainedEncoders.Load(folder, reference.Id, options))), encoder);
        }
        var builtIn = ShiraEncoderBaseModel.FindBuiltIn(reference.Id) ?? throw BaseModelSettings.NotAvailable(reader, reference);
        return (builtIn, builtIn.Load(LoadOptions(reference)));
    }
}
