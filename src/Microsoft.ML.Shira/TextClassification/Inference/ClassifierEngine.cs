using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Inference.Engines;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>
/// One base encoder shared by every view of a SHiRA text classifier, its named adapters (each with its own head) and
/// the lock that keeps inference consistent with switching.
/// </summary>
/// <remarks>
/// Thread-safety contract (see <see cref="AdapterEngine{TModel, TEntry, TSelection}"/>): every inference batch holds the
/// read lock from the moment it checks which adapters are fused until its logits are on the CPU, so each batch runs one
/// consistent (adapters, head) pair and batches run concurrently.
/// </remarks>
internal sealed class ClassifierEngine : AdapterEngine<PretrainedEncoder, ClassifierEntry, AdapterSelection>
{
    /// <summary>Takes ownership of <paramref name="encoder"/> (its model must hold the plain base weights, on <paramref name="device"/>).</summary>
    public ClassifierEngine(ShiraBaseModel baseModel, PretrainedEncoder encoder, BertTextTokenizer tokenizer, Device device)
        : base(encoder, encoder.Model, device, nameof(ShiraTextClassificationTransformer), ShiraTextClassificationTransformer.DisposedMessage)
    {
        BaseModel = baseModel;
        Tokenizer = tokenizer;
    }

    public ShiraBaseModel BaseModel { get; }

    public BertTextTokenizer Tokenizer { get; }

    public int HiddenSize => (int)Model.Config.HiddenSize;

    /// <summary>The base fingerprint of an encoder holding plain base weights.</summary>
    public static string ComputeBaseFingerprint(PretrainedEncoder encoder) => BaseModelSettings.ComputeFingerprint(encoder.Model);

    public ShiraClassificationHead GetHead(string name) => Read(() => Get(name).Head);

    /// <summary>Registers an adapter and its head.</summary>
    public void Add(SparseAdapter adapter, ShiraClassificationHead head)
    {
        if (head.HiddenSize != HiddenSize)
            throw new ArgumentException($"The head of adapter '{adapter.Name}' reads {head.HiddenSize} features but {BaseModel.Id} produces {HiddenSize}.", nameof(head));
        AddEntry(adapter, () => ClassifierEntry.Create(adapter, head, Device));
    }

    /// <summary>The adapters in order, each with its head, read consistently.</summary>
    public IReadOnlyList<(SparseAdapter Adapter, ShiraClassificationHead Head)> Snapshot() =>
        Entries().Select(entry => (entry.Adapter, entry.Head)).ToArray();

    /// <summary>
    /// Tokenizes and classifies a batch with the adapters and head of <paramref name="selection"/>; returns the logits,
    /// row-major <c>[rows, classes]</c>.
    /// </summary>
    /// <param name="selection">Adapters to fuse and head to use.</param>
    /// <param name="expected">The head the caller's output schema was built for; the selected head must have the same labels.</param>
    /// <param name="first">First texts.</param>
    /// <param name="second">Second texts of pairs, or null.</param>
    public float[] Score(AdapterSelection selection, ShiraClassificationHead expected, IReadOnlyList<string> first, IReadOnlyList<string>? second)
    {
        ThrowIfDisposed();
        var tokens = second is null ? Tokenizer.Encode(first) : Tokenizer.EncodePairs(first.Zip(second).ToList());
        return Run(selection, () => Classify(selection, expected, tokens));
    }

    protected override SparseAdapter AdapterOf(ClassifierEntry entry) => entry.Adapter;

    protected override void ReleaseEntry(ClassifierEntry entry) => entry.Dispose();

    private float[] Classify(AdapterSelection selection, ShiraClassificationHead expected, TokenizedBatch tokens)
    {
        var head = Get(selection.Head);
        if (!head.Head.HasSameLabelsAs(expected))
            throw new InvalidOperationException(
                $"This data view or prediction engine was created for a head with {expected}, but its transformer now classifies with the head of " +
                $"'{selection.Head}' ({head.Head}). Call Transform or create the PredictionEngine again after switching to an adapter with other labels.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = tokens.ToTensors(Device);
        var hidden = Model.Model.call(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds);
        var pooled = SentencePooling.Mean(hidden, inputs.AttentionMask);
        var logits = nn.functional.linear(pooled, head.Weight, head.Bias);
        return logits.to(ScalarType.Float32).cpu().data<float>().ToArray();
    }
}
