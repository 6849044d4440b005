using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.ModelFiles.BaseModels;
using Microsoft.ML.Shira.ModelFiles.Manifest;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.Models.Pretrained;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextGeneration.Inference;
using Microsoft.ML.Shira.TextGeneration.Training;
using TorchSharp;

namespace Microsoft.ML.Shira.TextGeneration.Persistence;

/// <summary>
/// Rebuilds a <see cref="ShiraTextGenerationTransformer"/>: reads and checks every adapter first, then loads the base
/// decoder (embedded or built in) with the saved stop ids, verifies its fingerprint, and registers the adapters and the
/// active selection.
/// </summary>
internal sealed class GenerationTransformerLoader : IShiraTransformerLoader
{
    public const string KindName = "text-generation";

    private const string LogSource = "ShiraModelFiles";

    public string Kind => KindName;

    public ITransformer Load(ShiraModelReader reader)
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
        var adapters = settings.Objects("adapters").Select(node => ReadAdapter(reader, node)).ToList();
        var duplicate = adapters.GroupBy(a => a.Adapter.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw settings.Error($"lists adapter '{duplicate.Key}' twice.", "adapters");
        var selection = GenerationSettings.Selection(settings, "active", adapters.Select(a => a.Adapter.Name).ToHashSet(StringComparer.Ordinal));

        var reference = BaseModelEntries.Read(reader);
        var (baseModel, loaded) = LoadBase(reader, reference);
        var decoder = new PretrainedDecoder(loaded.Name, loaded.Model, loaded.Tokenizer, stopIds);
        bool handedOver = false;
        try
        {
            string actual = GeneratorEngine.ComputeBaseFingerprint(decoder);
            if (!string.Equals(actual, reference.Fingerprint, StringComparison.OrdinalIgnoreCase))
                throw BaseModelEntries.FingerprintMismatch(reader, reference, actual);
            using var log = new MlContextLog(reader.Context, LogSource);
            var device = DeviceSelector.Resolve(null, reader.Context, log);
            decoder.Model.Module.to(device);
            var engine = new GeneratorEngine(baseModel, decoder, new SequenceBuilder(decoder.Tokenizer, maxLength, sequenceEnd), device);
            handedOver = true;
            try
            {
                engine.SetBaseFingerprint(actual);
                foreach (var (adapter, folder) in adapters)
                {
                    try
                    {
                        engine.Add(adapter);
                    }
                    catch (ArgumentException ex)
                    {
                        throw reader.EntryError(folder, $"holds an adapter that does not fit the base model '{reference.Id}': {ex.Message}", ex);
                    }
                }
                engine.Activate(selection);
                log.Info($"Loaded SHiRA text generator '{reader.Prefix}' from '{reader.Source}': {adapters.Count} adapter(s) on {reference.Id}, active {selection}.");
                return new ShiraTextGenerationTransformer(reader.Context, engine, names, batchSize, appendsEos, generation, selection);
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
                decoder.Dispose();
        }
    }

    private static (SparseAdapter Adapter, string Folder) ReadAdapter(ShiraModelReader reader, ManifestNode node)
    {
        string name = node.String("name");
        string folder = node.String("folder");
        var adapter = PeftShiraAdapterFile.FromBytes(
            reader.Read(folder + PeftShiraAdapterFile.WeightsFileName), reader.Read(folder + PeftShiraAdapterFile.ConfigFileName),
            $"{reader.Source} (entry {reader.EntryName(folder)})", name);
        return (adapter, folder);
    }

    private static (ShiraDecoderBaseModel BaseModel, PretrainedDecoder Decoder) LoadBase(ShiraModelReader reader, BaseModelReference reference)
    {
        if (reference.Embedded is { } files)
        {
            var decoder = PretrainedDecoders.Load(files);
            var tokenizerFiles = new MemoryModelFileSource(DecoderFolderFiles.TokenizerFiles(files), reader.EntryName(reference.EmbeddedFolder!));
            return (EmbeddedBase(reader, reference, tokenizerFiles), decoder);
        }
        var builtIn = ShiraDecoderBaseModel.FindBuiltIn(reference.Id)
            ?? throw reader.Settings.Error(
                $"names base model '{reference.Id}', which is neither embedded in the file nor built into Microsoft.ML.Shira {ShiraInfo.Version}.", "base.id");
        return (builtIn, builtIn.Load());
    }

    /// <summary>
    /// The base model of a transformer loaded with embedded weights. Training with it reloads the weights from the model
    /// file, checking the fingerprint; a model loaded from a stream cannot. Its tokenizer files are kept in memory, so the
    /// model can be saved again with its base embedded.
    /// </summary>
    private static ShiraDecoderBaseModel EmbeddedBase(ShiraModelReader reader, BaseModelReference reference, MemoryModelFileSource tokenizerFiles)
    {
        string? path = reader.FilePath;
        string folder = reader.EntryName(reference.EmbeddedFolder!);
        return ShiraDecoderBaseModel.Create(reference.Id, () =>
        {
            if (path is null)
                throw new InvalidOperationException(
                    $"The base model '{reference.Id}' was embedded in a SHiRA model loaded from a stream and cannot be reloaded; load the model from a file to train with its base model.");
            ModelFiles.Archive.ModelArchiveReader archive;
            using (var stream = File.OpenRead(path))
                archive = ModelFiles.Archive.ModelArchiveReader.Open(stream, path);
            var decoder = PretrainedDecoders.Load(new ArchiveModelFileSource(archive, folder));
            string actual = GeneratorEngine.ComputeBaseFingerprint(decoder);
            if (!string.Equals(actual, reference.Fingerprint, StringComparison.OrdinalIgnoreCase))
            {
                decoder.Dispose();
                throw new InvalidOperationException($"The base model embedded in '{path}' (entry '{folder}') changed since the model was loaded (fingerprint mismatch).");
            }
            return decoder;
        }, () => tokenizerFiles);
    }
}
