using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>
/// One base encoder shared by every view of a SHiRA text classifier, its named adapters (each with its own head) and
/// the lock that keeps inference consistent with switching.
/// </summary>
/// <remarks>
/// Thread-safety contract (see <see cref="AdapterEngine"/>): every inference batch holds the
/// read lock from the moment it checks which adapters are fused until its logits are on the CPU, so each batch runs one
/// consistent (adapters, head) pair and batches run concurrently.
/// </remarks>
internal sealed class ClassifierEngine : AdapterEngine
{
    /// <summary>Takes ownership of <paramref name="encoder"/> (its model must hold the plain base weights, on <paramref name="device"/>).</summary>
    public ClassifierEngine(ShiraEncoderBaseModel baseModel, PretrainedEncoder encoder, IEncoderTokenizer tokenizer, Device device)
        : base(baseModel, encoder, encoder.Model.Module, device, nameof(ShiraTextClassificationTransformer), ShiraTextClassificationTransformer.DisposedMessage)
    {
        Encoder = encoder;
        Tokenizer = tokenizer;
    }

    /// <summary>The base encoder; its weights change only under the write lock.</summary>
    private PretrainedEncoder Encoder { get; }

    public IEncoderTokenizer Tokenizer { get; }

    public int HiddenSize => Encoder.Model.HiddenSize;

    public ShiraClassificationHead GetHead(string name) => Read(() => Entry(name).Head);

    /// <summary>Registers an adapter and its head.</summary>
    public void Add(SparseAdapter adapter, ShiraClassificationHead head)
    {
        if (head.HiddenSize != HiddenSize)
            throw new ArgumentException($"The head of adapter '{adapter.Name}' reads {head.HiddenSize} features but {BaseModel.Id} produces {HiddenSize}.", nameof(head));
        AddEntry(adapter, () => ClassifierEntry.Create(adapter, head, Device));
    }

    /// <summary>The encoder's Hugging Face folder with its current weights (call under <see cref="AdapterEngine.WithBaseWeights"/> or <see cref="AdapterEngine.WithFused"/>).</summary>
    public IReadOnlyList<string> WriteFolder(string directory, long maxShardBytes, IReadOnlyDictionary<string, byte[]> extraFiles) =>
        EncoderFolderFiles.Write(Encoder.Model, Tokenizer, directory, maxShardBytes, extraFiles);

    /// <summary>
    /// Tokenizes and classifies a batch with the adapters and head of <paramref name="selection"/>; returns the logits,
    /// row-major <c>[rows, classes]</c>.
    /// </summary>
    /// <param name="selection">Returns the adapters to fuse and head to use (read when the batch starts).</param>
    /// <param name="expected">The head the caller's output schema was built for; the selected head must have the same labels.</param>
    /// <param name="first">First texts.</param>
    /// <param name="second">Second texts of pairs, or null.</param>
    public float[] Score(Func<ClassifierSelection> selection, ShiraClassificationHead expected, IReadOnlyList<string> first, IReadOnlyList<string>? second)
    {
        ThrowIfDisposed();
        var tokens = second is null ? Tokenizer.Encode(first) : Tokenizer.EncodePairs(first.Zip(second).ToList());
        return Run(selection, current => Classify(current, expected, tokens));
    }

    private float[] Classify(ClassifierSelection selection, ShiraClassificationHead expected, TokenizedBatch tokens)
    {
        var head = Entry(selection.Head);
        if (!head.Head.HasSameLabelsAs(expected))
            throw new InvalidOperationException(
                $"This data view or prediction engine was created for a head with {expected}, but its transformer now classifies with the head of " +
                $"'{selection.Head}' ({head.Head}). Call Transform or create the PredictionEngine again after switching to an adapter with other labels.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = tokens.ToTensors(Device);
        var hidden = Encoder.Model.Encode(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds);
        var pooled = SentencePooling.Mean(hidden, inputs.AttentionMask);
        var logits = nn.functional.linear(pooled, head.Weight, head.Bias);
        return logits.to(ScalarType.Float32).cpu().data<float>().ToArray();
    }

    private ClassifierEntry Entry(string name) => (ClassifierEntry)Get(name);
}
