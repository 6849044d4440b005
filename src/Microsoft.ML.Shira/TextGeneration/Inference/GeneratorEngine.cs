using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Inference.Engines;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.TextGeneration.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>
/// One base decoder shared by every view of a SHiRA text generator, its named adapters and the lock that keeps
/// generation consistent with switching.
/// </summary>
/// <remarks>
/// Thread-safety contract (see <see cref="AdapterEngine{TModel, TEntry, TSelection}"/>): every generation (one prompt,
/// all its tokens) and every perplexity batch holds the read lock from the moment it checks which adapters are fused
/// until it is done, so each runs with one consistent adapter selection and several run concurrently.
/// </remarks>
internal sealed class GeneratorEngine : AdapterEngine<PretrainedDecoder, SparseAdapter, DecoderAdapterSelection>
{
    /// <summary>Takes ownership of <paramref name="decoder"/> (its model must hold the plain base weights, on <paramref name="device"/>).</summary>
    public GeneratorEngine(ShiraDecoderBaseModel baseModel, PretrainedDecoder decoder, SequenceBuilder sequences, Device device)
        : base(decoder, decoder.Model.Module, device, nameof(ShiraTextGenerationTransformer), ShiraTextGenerationTransformer.DisposedMessage)
    {
        BaseModel = baseModel;
        Sequences = sequences;
    }

    public ShiraDecoderBaseModel BaseModel { get; }

    /// <summary>How texts become token sequences for perplexity (the training settings).</summary>
    public SequenceBuilder Sequences { get; }

    /// <summary>Ids at which generation stops by default.</summary>
    public IReadOnlyList<int> EndOfSequenceIds => Model.EndOfSequenceIds;

    /// <summary>The base fingerprint of a decoder holding plain base weights.</summary>
    public static string ComputeBaseFingerprint(PretrainedDecoder decoder) => BaseModelSettings.ComputeFingerprint(decoder.Model.Module);

    /// <summary>Registers an adapter.</summary>
    public void Add(SparseAdapter adapter) => AddEntry(adapter, () => adapter);

    /// <summary>The adapters in the order they were added, read consistently.</summary>
    public IReadOnlyList<SparseAdapter> Snapshot() => Entries();

    /// <summary>Generates a continuation of <paramref name="prompt"/> with the adapters of <paramref name="selection"/>.</summary>
    public GenerationResult Generate(DecoderAdapterSelection selection, string prompt, GenerationOptions options, Action<string>? onText, CancellationToken token) =>
        Run(selection, () => Model.Generator.Generate(prompt, options, onText, token));

    /// <summary>Summed loss of one batch with the adapters of <paramref name="selection"/>.</summary>
    public double BatchLoss(DecoderAdapterSelection selection, SequenceBatch batch) =>
        Run(selection, () => PerplexityMeter.BatchLoss(Model.Model, batch, Device));

    /// <summary>Runs <paramref name="action"/> on the decoder under the read lock (for reading its structure, not its weights).</summary>
    public T WithDecoder<T>(Func<PretrainedDecoder, T> action) => Read(() => action(Model));

    protected override SparseAdapter AdapterOf(SparseAdapter entry) => entry;
}
