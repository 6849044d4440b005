using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Tasks;

/// <summary>
/// Rebuilds a transformer of named adapters on one shared base model. A kind reads and checks its settings and every
/// adapter first and loads the base model (embedded or built in); <see cref="Build"/> then verifies the base
/// fingerprint, builds the engine on the base model and registers the adapters and the active selection.
/// </summary>
/// <typeparam name="TModel">The loaded base model.</typeparam>
/// <typeparam name="TEngine">The task's engine.</typeparam>
/// <typeparam name="TAdapter">An adapter as read from the file, with whatever comes with it.</typeparam>
internal abstract class ShiraTransformerLoader<TModel, TEngine, TAdapter> : IShiraTransformerLoader
    where TModel : IDisposable
    where TEngine : AdapterEngine
{
    private const string LogSource = "ShiraModelFiles";

    private readonly string _transformerName;
    private readonly string _entryContents;

    /// <param name="kind">The kind this loader reads.</param>
    /// <param name="transformerName">The transformer in log messages, e.g. <c>text classifier</c>.</param>
    /// <param name="entryContents">What an adapter entry holds, in the error for one that does not fit the base model, e.g. <c>an adapter</c>.</param>
    protected ShiraTransformerLoader(string kind, string transformerName, string entryContents)
    {
        Kind = kind;
        _transformerName = transformerName;
        _entryContents = entryContents;
    }

    public string Kind { get; }

    public abstract ITransformer Load(ShiraModelReader reader);

    /// <summary>The module of <paramref name="model"/> whose weights the fingerprint covers.</summary>
    protected abstract nn.Module ModuleOf(TModel model);

    /// <summary>Registers an adapter read from the file.</summary>
    protected abstract void AddAdapter(TEngine engine, TAdapter adapter);

    /// <summary>
    /// Verifies that <paramref name="model"/> holds the base weights the file records, builds the engine on it with
    /// <paramref name="createEngine"/> (the engine owns the model from then on), registers the adapters, fuses
    /// <paramref name="selection"/> and makes the transformer with <paramref name="createTransformer"/>. Disposes the
    /// model, or the engine once built, when a step fails.
    /// </summary>
    protected ITransformer Build(
        ShiraModelReader reader, BaseModelReference reference, TModel model, IReadOnlyList<(TAdapter Adapter, string Folder)> adapters,
        FusedAdapterSelection selection, Func<Device, TEngine> createEngine, Func<TEngine, ITransformer> createTransformer)
    {
        bool handedOver = false;
        try
        {
            string actual = ComputeFingerprint(model);
            if (!string.Equals(actual, reference.Fingerprint, StringComparison.OrdinalIgnoreCase))
                throw BaseModelSettings.FingerprintMismatch(reader, reference, actual);
            using var log = new MlContextLog(reader.Context, LogSource);
            var device = DeviceSelector.Resolve(null, reader.Context, log);
            var engine = createEngine(device);
            handedOver = true;
            try
            {
                engine.SetBaseFingerprint(actual);
                foreach (var (adapter, folder) in adapters)
                    Register(reader, reference, engine, adapter, folder);
                engine.Activate(selection);
                log.Info($"Loaded SHiRA {_transformerName} '{reader.Prefix}' from '{reader.Source}': {adapters.Count} adapter(s) on {reference.Id}, active {selection}.");
                return createTransformer(engine);
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
                model.Dispose();
        }
    }

    private string ComputeFingerprint(TModel model) => BaseModelFingerprint.OfModel(ModuleOf(model));

    /// <summary>How to load the base model <paramref name="reference"/> records: in the type its fingerprint covers, on the CPU.</summary>
    protected static HuggingFaceLoadOptions LoadOptions(BaseModelReference reference) => new() { DType = reference.Precision.ToScalarType() };

    /// <summary>The base model embedded in the file, read again (see <see cref="EmbeddedBaseModel.Reloader"/>).</summary>
    protected Func<HuggingFaceLoadOptions, TModel> ReloadEmbedded(ShiraModelReader reader, BaseModelReference reference, Func<IModelFileSource, HuggingFaceLoadOptions, TModel> load) =>
        EmbeddedBaseModel.Reloader(reader, reference, load, ComputeFingerprint);

    private void Register(ShiraModelReader reader, BaseModelReference reference, TEngine engine, TAdapter adapter, string folder)
    {
        try
        {
            AddAdapter(engine, adapter);
        }
        catch (ArgumentException ex)
        {
            throw reader.EntryError(folder, $"holds {_entryContents} that does not fit the base model '{reference.Id}': {ex.Message}", ex);
        }
    }
}
