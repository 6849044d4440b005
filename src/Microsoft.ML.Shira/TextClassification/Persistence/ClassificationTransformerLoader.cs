using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Checkpoints;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.ModelFiles.BaseModels;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextClassification.Inference;
using TorchSharp;

namespace Microsoft.ML.Shira.TextClassification.Persistence;

/// <summary>
/// Rebuilds a <see cref="ShiraTextClassificationTransformer"/>: reads and checks every adapter and head first, then loads
/// the base model (embedded or built in), verifies its fingerprint, and registers the adapters and the active selection.
/// </summary>
internal sealed class ClassificationTransformerLoader : IShiraTransformerLoader
{
    public const string KindName = "text-classification";

    private const string LogSource = "ShiraModelFiles";

    public string Kind => KindName;

    public ITransformer Load(ShiraModelReader reader)
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
        var duplicate = adapters.GroupBy(a => a.Adapter.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw settings.Error($"lists adapter '{duplicate.Key}' twice.", "adapters");
        var selection = ClassificationSettings.Selection(settings.Object("active"), adapters.Select(a => a.Adapter.Name).ToHashSet(StringComparer.Ordinal));

        var reference = BaseModelEntries.Read(reader);
        var (baseModel, encoder) = LoadBase(reader, reference);
        bool handedOver = false;
        try
        {
            string actual = ClassifierEngine.ComputeBaseFingerprint(encoder);
            if (!string.Equals(actual, reference.Fingerprint, StringComparison.OrdinalIgnoreCase))
                throw BaseModelEntries.FingerprintMismatch(reader, reference, actual);
            using var log = new MlContextLog(reader.Context, LogSource);
            var device = DeviceSelector.Resolve(null, reader.Context, log);
            encoder.Model.to(device);
            var engine = new ClassifierEngine(baseModel, encoder, encoder.Tokenizer.WithMaxLength(maxLength), device);
            handedOver = true;
            try
            {
                engine.SetBaseFingerprint(actual);
                foreach (var (adapter, head, folder) in adapters)
                {
                    try
                    {
                        engine.Add(adapter, head);
                    }
                    catch (ArgumentException ex)
                    {
                        throw reader.EntryError(folder, $"holds an adapter or head that does not fit the base model '{reference.Id}': {ex.Message}", ex);
                    }
                }
                engine.Activate(selection);
                log.Info($"Loaded SHiRA text classifier '{reader.Prefix}' from '{reader.Source}': {adapters.Count} adapter(s) on {reference.Id}, active {selection}.");
                return new ShiraTextClassificationTransformer(reader.Context, engine, names, batchSize, selection);
            }
            catch
            {
                engine.Dispose();
                throw;
            }
        }
        finally
        {
            if (!handedOver)
                encoder.Dispose();
        }
    }

    private static (SparseAdapter Adapter, ShiraClassificationHead Head, string Folder) ReadAdapter(ShiraModelReader reader, ModelFiles.Manifest.ManifestNode node)
    {
        string name = node.String("name");
        string folder = node.String("folder");
        string source = $"{reader.Source} (entry {reader.EntryName(folder)})";
        var adapter = PeftShiraAdapterFile.FromBytes(
            reader.Read(folder + PeftShiraAdapterFile.WeightsFileName), reader.Read(folder + PeftShiraAdapterFile.ConfigFileName), source, name);
        var head = ShiraClassificationHeadFile.FromBytes(reader.Read(folder + ShiraClassificationHeadFile.FileName), $"{source}/{ShiraClassificationHeadFile.FileName}");
        if (node.OptionalString("labelKeyValues") is { } keyValues)
        {
            var annotations = LabelKeyValuesSchema.Read(reader.ReadSchema(keyValues), head)
                ?? throw reader.EntryError(keyValues, $"does not hold the {head.ClassCount} key values of adapter '{name}''s labels.");
            head = new ShiraClassificationHead(head.WeightArray, head.BiasArray, head.ClassNames, head.IsBinary) { LabelAnnotations = annotations };
        }
        return (adapter, head, folder);
    }

    private static (ShiraBaseModel BaseModel, Models.Pretrained.PretrainedEncoder Encoder) LoadBase(ShiraModelReader reader, BaseModelReference reference)
    {
        if (reference.Embedded is { } files)
        {
            var encoder = Models.Pretrained.PretrainedEncoders.Load(files, reference.Id);
            return (EmbeddedBase(reader, reference), encoder);
        }
        var builtIn = ShiraBaseModel.FindBuiltIn(reference.Id)
            ?? throw reader.Settings.Error(
                $"names base model '{reference.Id}', which is neither embedded in the file nor built into Microsoft.ML.Shira {ShiraInfo.Version}.", "base.id");
        return (builtIn, builtIn.Load());
    }

    /// <summary>
    /// The base model of a transformer loaded with embedded weights. Training with it (e.g. a new adapter for the same
    /// base) reloads the weights from the model file, checking the fingerprint; a model loaded from a stream cannot.
    /// </summary>
    private static ShiraBaseModel EmbeddedBase(ShiraModelReader reader, BaseModelReference reference)
    {
        string? path = reader.FilePath;
        string folder = reader.EntryName(reference.EmbeddedFolder!);
        return ShiraBaseModel.Create(reference.Id, () =>
        {
            if (path is null)
                throw new InvalidOperationException(
                    $"The base model '{reference.Id}' was embedded in a SHiRA model loaded from a stream and cannot be reloaded; load the model from a file to train with its base model.");
            ModelFiles.Archive.ModelArchiveReader archive;
            using (var stream = File.OpenRead(path))
                archive = ModelFiles.Archive.ModelArchiveReader.Open(stream, path);
            var encoder = Models.Pretrained.PretrainedEncoders.Load(new ArchiveModelFileSource(archive, folder), reference.Id);
            string actual = ClassifierEngine.ComputeBaseFingerprint(encoder);
            if (!string.Equals(actual, reference.Fingerprint, StringComparison.OrdinalIgnoreCase))
            {
                encoder.Dispose();
                throw new InvalidOperationException($"The base model embedded in '{path}' (entry '{folder}') changed since the model was loaded (fingerprint mismatch).");
            }
            return encoder;
        });
    }
}
