using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.ModelFiles.Archive;
using Microsoft.ML.Shira.ModelFiles.Layout;
using Microsoft.ML.Shira.ModelFiles.Manifest;
using Microsoft.ML.Shira.ModelFiles.Persistence;

namespace Microsoft.ML.Shira.ModelFiles;

/// <summary>
/// Saves and loads models that contain SHiRA transformers, and exports their adapters; get it with
/// <c>mlContext.Shira().Model</c>. ML.NET's own <c>mlContext.Model.Save</c> cannot store TorchSharp weights (its
/// persistence API is internal to ML.NET), so SHiRA models are saved here: one zip that holds the ordinary ML.NET parts
/// as nested ML.NET model zips, and the SHiRA parts (manifest, base model reference or weights, adapters in PEFT format,
/// classifier heads). The layout is described in docs/model-files.md.
/// </summary>
/// <example>
/// <code>
/// var model = pipeline.Fit(trainData);   // e.g. MapValueToKey → Shira TextClassification → MapKeyToValue
/// mlContext.Shira().Model.Save(model, trainData.Schema, "sentiment.zip");
/// var loaded = mlContext.Shira().Model.Load("sentiment.zip", out var inputSchema);
/// </code>
/// </example>
public sealed class ShiraModelOperationsCatalog
{
    private readonly MLContext _context;

    internal ShiraModelOperationsCatalog(MLContext context) => _context = context;

    /// <summary>
    /// Saves <paramref name="model"/> (a SHiRA transformer, or a <c>TransformerChain</c> mixing SHiRA and ordinary ML.NET
    /// transformers, possibly nested) with its input schema to <paramref name="filePath"/>. The whole model is serialized
    /// in memory first and the file is then written to a temporary sibling and renamed: a failing save leaves no file, and
    /// an existing file intact.
    /// </summary>
    /// <param name="model">The model to save. Every SHiRA transformer is saved with all its adapters and its active selection.</param>
    /// <param name="inputSchema">Schema of the data the model is applied to (e.g. <c>trainData.Schema</c>).</param>
    /// <param name="filePath">Target file (conventionally <c>.zip</c>).</param>
    /// <param name="options">Save options; default refers to the built-in base model instead of embedding it.</param>
    /// <exception cref="InvalidOperationException">A base model that is not built in, without <see cref="ShiraSaveOptions.EmbedBaseModel"/>.</exception>
    /// <exception cref="NotSupportedException">The model contains a transformer that neither ML.NET nor this library can save.</exception>
    /// <exception cref="ObjectDisposedException">A SHiRA transformer of the model was disposed.</exception>
    public void Save(ITransformer model, DataViewSchema inputSchema, string filePath, ShiraSaveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var (archive, manifest) = Serialize(model, inputSchema, options);
        using (archive)
            AtomicFile.Write(filePath, stream => archive.WriteTo(stream, manifest));
    }

    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="stream"/> (left open). Serialization errors are raised before
    /// anything is written; an I/O error while writing leaves the stream with partial data.
    /// </summary>
    /// <inheritdoc cref="Save(ITransformer, DataViewSchema, string, ShiraSaveOptions?)"/>
    public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream, ShiraSaveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        var (archive, manifest) = Serialize(model, inputSchema, options);
        using (archive)
            archive.WriteTo(stream, manifest);
    }

    /// <summary>
    /// Loads a model saved by <see cref="Save(ITransformer, DataViewSchema, string, ShiraSaveOptions?)"/>: ML.NET parts
    /// with <c>mlContext.Model.Load</c>, SHiRA transformers with their base model (checked against the saved fingerprint),
    /// every adapter with its head, and the active selection. Predictions are bit-for-bit those of the saved model. Chains
    /// come back as <c>TransformerChain&lt;ITransformer&gt;</c> (as with ML.NET's loader), with the same elements and scopes.
    /// Dispose the returned model (or its SHiRA transformers) to release their TorchSharp memory.
    /// </summary>
    /// <param name="filePath">The model file.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ShiraFormatException">
    /// Not a SHiRA model file, corrupt or truncated, an entry missing or damaged, an unknown format version or transformer
    /// kind; the message names the file and the entry.
    /// </exception>
    /// <exception cref="InvalidOperationException">The base model differs from the one the adapters were trained on (fingerprint mismatch).</exception>
    public ITransformer Load(string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        string full = Path.GetFullPath(filePath);
        if (!File.Exists(full))
            throw new FileNotFoundException($"SHiRA model file '{full}' does not exist.", full);
        using var stream = File.OpenRead(full);
        return Load(stream, full, full, out inputSchema);
    }

    /// <summary>Loads a model from <paramref name="stream"/> (read to its end, left open).</summary>
    /// <inheritdoc cref="Load(string, out DataViewSchema)"/>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Load(stream, "(stream)", null, out inputSchema);
    }

    /// <summary>
    /// Writes adapter <paramref name="adapterName"/> of the SHiRA transformer in <paramref name="model"/> as a Hugging Face
    /// PEFT folder: <c>adapter_model.safetensors</c> and <c>adapter_config.json</c> (readable by
    /// <c>PeftShiraAdapterFile.Load</c> and Python PEFT), plus, for a text classifier, the adapter's head as
    /// <c>classifier_head.safetensors</c> (see <c>ShiraClassificationHeadFile</c>).
    /// </summary>
    /// <param name="model">A SHiRA transformer or a chain containing one.</param>
    /// <param name="adapterName">The adapter to export.</param>
    /// <param name="directory">Target folder (created when missing; every file is written to a temporary sibling first and all are renamed into place only when all were written).</param>
    /// <exception cref="ArgumentException">The model holds no SHiRA transformer, or several that have this adapter.</exception>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    public void ExportAdapter(ITransformer model, string adapterName, string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(adapterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var candidates = Exportables(model);
        var owners = candidates.Where(c => c.Adapters.Contains(adapterName, StringComparer.Ordinal)).ToList();
        if (owners.Count > 1)
            throw new ArgumentException($"{owners.Count} SHiRA transformers of the model have an adapter '{adapterName}'; pass the transformer itself.", nameof(model));
        (owners.Count == 1 ? owners[0] : candidates[0]).ExportAdapter(adapterName, directory);
    }

    /// <summary>
    /// Writes the base model of the SHiRA transformer in <paramref name="model"/> with adapters fused into its weights
    /// (<c>W = W_base + Σ αᵢ·Sᵢ</c>, exactly the weights inference uses) as a Hugging Face model folder, loadable by
    /// <c>ShiraEncoderBaseModel.FromFolder</c>/<c>ShiraDecoderBaseModel.FromFolder</c> and Hugging Face <c>transformers</c>.
    /// A text classifier writes <c>config.json</c>, <c>model.safetensors</c>, <c>vocab.txt</c> and
    /// <c>tokenizer_config.json</c> (the transformer's lower-casing and maximum sequence length) and the head of the
    /// selection's head adapter as <c>classifier_head.safetensors</c>; a text generator writes <c>config.json</c>,
    /// <c>model.safetensors</c>, <c>generation_config.json</c> (the stop ids) and the base model's tokenizer files.
    /// </summary>
    /// <param name="model">A SHiRA transformer or a chain containing exactly one.</param>
    /// <param name="directory">Target folder (created when missing; every file is written to a temporary sibling first and all are renamed into place only when all were written).</param>
    /// <param name="adapters">Adapters and their α; default the transformer's active adapters. The first one's head is written.</param>
    /// <exception cref="ArgumentException">The model holds no or several SHiRA transformers, or the adapter list is invalid.</exception>
    /// <exception cref="KeyNotFoundException">No adapter has a listed name.</exception>
    public void ExportFused(ITransformer model, string directory, IReadOnlyList<(string Name, double Alpha)>? adapters = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var candidates = Exportables(model);
        if (candidates.Count > 1)
            throw new ArgumentException($"The model holds {candidates.Count} SHiRA transformers; pass the one to export.", nameof(model));
        candidates[0].ExportFused(directory, adapters);
    }

    private (ModelArchiveWriter Archive, byte[] Manifest) Serialize(ITransformer model, DataViewSchema inputSchema, ShiraSaveOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        var archive = new ModelArchiveWriter();
        try
        {
            var layout = new ModelLayoutWriter(_context, archive, options ?? new ShiraSaveOptions()).Write(model, inputSchema);
            return (archive, ModelManifest.Write(layout, archive));
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    private ITransformer Load(Stream stream, string source, string? filePath, out DataViewSchema inputSchema)
    {
        ModelArchiveReader archive;
        if (stream.CanSeek)
        {
            archive = ModelArchiveReader.Open(stream, source, filePath);
        }
        else
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            archive = ModelArchiveReader.Open(copy, source);
        }
        var root = ModelManifest.Read(archive);
        return new ModelLayoutReader(_context, archive, filePath).Read(root, out inputSchema);
    }

    private static List<IShiraExportable> Exportables(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = TransformerChains.Shira(model).OfType<IShiraExportable>().ToList();
        if (found.Count == 0)
            throw new ArgumentException($"The model ({model.GetType().Name}) holds no SHiRA transformer with adapters to export.", nameof(model));
        return found;
    }
}
