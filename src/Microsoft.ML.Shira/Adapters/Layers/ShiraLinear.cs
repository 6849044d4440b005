using TorchSharp.Modules;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// A frozen <see cref="Linear"/> plus a SHiRA sparse update: <c>y = x (W + α·scatter(values))ᵀ + b</c>.
/// Only <c>shira_weight</c> (the k values) is trainable; the indices are fixed. The base weight and bias keep
/// their Hugging Face names (<c>weight</c>, <c>bias</c>), so the state dict of a wrapped model still matches its checkpoint.
/// While training, <see cref="GradientPath"/> (default <see cref="ShiraGradientPath.Auto"/>) decides whether the value
/// gradient is computed only at the k positions (<see cref="ShiraGradientPath.Sparse"/>) or read from the dense weight
/// gradient (<see cref="ShiraGradientPath.Dense"/>); <see cref="EffectiveGradientPath"/> tells which one runs.
/// For a bfloat16 or float16 weight the values are float32 master values by default (<see cref="DefaultValueDType"/>):
/// small optimizer steps that would round away in the weight's type accumulate, and each adapted entry of the
/// effective weight is computed in float32 and rounded once to the weight's type.
/// </summary>
public sealed class ShiraLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly Parameter shira_weight;
    private readonly Tensor shira_indices;
    private readonly ShiraPositions _entries;
    private long _gradientChunkTokens;

    /// <summary>Wraps <paramref name="baseLayer"/>; freezes its weight and bias.</summary>
    /// <param name="baseLayer">The layer to adapt; its parameters are shared, not copied.</param>
    /// <param name="flatIndices">Distinct row-major positions in <c>[out, in]</c> (int64, shape [k]).</param>
    /// <param name="scaling">α applied to the sparse update (PEFT uses 1.0).</param>
    /// <param name="initialValues">Initial values (shape [k]); zeros when null, so the wrapped layer starts equal to the base.</param>
    /// <param name="valueDType">
    /// Type of the trainable values; null for <see cref="DefaultValueDType"/> of the weight's type (float32 master values
    /// for a bfloat16/float16 weight, the weight's own type otherwise). Giving the weight's type keeps them in it.
    /// </param>
    public ShiraLinear(Linear baseLayer, Tensor flatIndices, double scaling = 1.0, Tensor? initialValues = null, ScalarType? valueDType = null)
        : base(nameof(ShiraLinear))
    {
        ArgumentNullException.ThrowIfNull(baseLayer);
        ArgumentNullException.ThrowIfNull(flatIndices);
        if (flatIndices.dim() != 1 || flatIndices.dtype != ScalarType.Int64)
            throw new ArgumentException($"SHiRA indices must be a 1-D int64 tensor; got {flatIndices.dtype} of shape [{string.Join(", ", flatIndices.shape)}].", nameof(flatIndices));

        weight = baseLayer.weight ?? throw new ArgumentException("The base Linear has no weight.", nameof(baseLayer));
        bias = baseLayer.bias;
        weight.requires_grad = false;
        if (bias is not null)
            bias.requires_grad = false;

        OutFeatures = weight.shape[0];
        InFeatures = weight.shape[1];
        long k = flatIndices.shape[0];
        TrainableCount = k;
        // The checks and conversions below make temporaries; only the indices and values outlive the constructor.
        using (NewDisposeScope())
        using (no_grad())
        {
            if (k > 0)
            {
                long min = flatIndices.min().item<long>(), max = flatIndices.max().item<long>();
                if (min < 0 || max >= OutFeatures * InFeatures)
                    throw new ArgumentOutOfRangeException(nameof(flatIndices), $"SHiRA index range [{min}, {max}] is outside the [{OutFeatures}, {InFeatures}] weight.");
            }

            shira_indices = flatIndices.to(weight.device).detach().clone().DetachFromDisposeScope();
            _entries = ShiraPositions.FromTensor(flatIndices, InFeatures);
            var dtype = valueDType ?? DefaultValueDType(weight.dtype);
            if (!IO.HuggingFace.HuggingFaceDTypes.IsSupported(dtype))
                throw new ArgumentException($"SHiRA values must have a floating-point type; got {dtype}.", nameof(valueDType));
            var values = initialValues is null
                ? zeros(k, dtype: dtype, device: weight.device)
                : initialValues.detach().to(dtype, weight.device).clone();
            if (values.shape.Length != 1 || values.shape[0] != k)
                throw new ArgumentException($"Initial values have shape [{string.Join(", ", values.shape)}]; expected [{k}].", nameof(initialValues));
            shira_weight = new Parameter(values, requires_grad: true);
            shira_weight.DetachFromDisposeScope();
        }
        Scaling = scaling;
        // Non-persistent: the indices travel in adapter files, not in the model's state dict (which must match the checkpoint).
        register_buffer(nameof(shira_indices), shira_indices, persistent: false);
        RegisterComponents();
    }

    /// <summary>Columns of the weight.</summary>
    public long InFeatures { get; }

    /// <summary>Rows of the weight.</summary>
    public long OutFeatures { get; }

    /// <summary>α applied to the sparse update.</summary>
    public double Scaling { get; set; }

    /// <summary>How the value gradient is computed while training (default <see cref="ShiraGradientPath.Auto"/>).</summary>
    public ShiraGradientPath GradientPath { get; set; } = ShiraGradientPath.Auto;

    /// <summary>
    /// The path training uses now: <see cref="GradientPath"/>, or for <see cref="ShiraGradientPath.Auto"/> the one
    /// <see cref="ShiraGradientPathRule.Choose"/> picks for the weight's current device and type and this layer's size
    /// (never <see cref="ShiraGradientPath.Auto"/>).
    /// </summary>
    public ShiraGradientPath EffectiveGradientPath => GradientPath == ShiraGradientPath.Auto
        ? ShiraGradientPathRule.Choose(weight.device_type, weight.dtype, OutFeatures, InFeatures, TrainableCount)
        : GradientPath;

    /// <summary>
    /// The type of the trainable values for a weight of type <paramref name="weightDType"/> when none is given:
    /// float32 for bfloat16 and float16 (master values), the weight's type otherwise.
    /// </summary>
    public static ScalarType DefaultValueDType(ScalarType weightDType) =>
        weightDType is ScalarType.BFloat16 or ScalarType.Float16 ? ScalarType.Float32 : weightDType;

    /// <summary>
    /// Tokens per chunk of the sparse backward, which bounds its scratch memory: on the CPU (float32/float64) each chunk
    /// holds the transposed output gradient and input, <c>chunk·(in+out)</c> elements; elsewhere it gathers
    /// <c>2·chunk·k</c> elements. 0 (the default) picks about 2^19 elements (CPU) or 2^20 (gather) per chunk.
    /// </summary>
    public long GradientChunkTokens
    {
        get => _gradientChunkTokens;
        set => _gradientChunkTokens = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Chunk size must be positive, or 0 for automatic.");
    }

    /// <summary>
    /// Sparse path only: free the layer's saved input as soon as its backward has run, as PyTorch's built-in layers do
    /// after a backward without <c>retain_graph</c>. TorchSharp keeps a custom function's saved tensors until the whole
    /// graph is gone, so without this every adapted layer's input stays alive for the rest of the backward pass (129 MiB
    /// for MiniLM at 32 × 64 tokens) and the training peak is higher. Off by default because a second backward through
    /// the same graph (<c>retain_graph: true</c>) then fails inside TorchSharp's autograd callback, which ends the
    /// process; the library's own trainers turn it on (they backpropagate each graph once).
    /// </summary>
    public bool FreeInputAfterBackward { get; set; }

    /// <summary>
    /// How the dense path is recorded: null (the default) runs it through <see cref="ShiraSparseLinearFunction"/> off the
    /// CPU, so that the backward rebuilds <c>W_eff</c> instead of autograd keeping one per layer from the forward (GPU
    /// memory is the scarce resource there), and as plain autograd on the CPU (no custom-function overhead for the small
    /// layers Auto sends there); true or false forces one (tests and benchmarks).
    /// </summary>
    internal bool? DenseKeepsOnlyInput { get; set; }

    /// <summary>Forward formulation of the sparse path (experiments only; the default is the measured faster one).</summary>
    internal ShiraSparseForward SparseForward { get; set; } = ShiraSparseForward.EffectiveWeight;

    /// <summary>The frozen base weight <c>[out, in]</c>.</summary>
    public Parameter Weight => weight;

    /// <summary>The frozen bias, if any.</summary>
    public Parameter? Bias => bias;

    /// <summary>The k trainable values (float32 master values for a bfloat16/float16 weight by default).</summary>
    public Parameter Values => shira_weight;

    /// <summary>The k fixed row-major positions.</summary>
    public Tensor FlatIndices => shira_indices;

    /// <summary>Number of trainable entries.</summary>
    public long TrainableCount { get; }

    /// <summary>The effective weight <c>W + α·scatter(values)</c>; gradients flow to the values.</summary>
    public Tensor EffectiveWeight() => ShiraUpdateArithmetic.Add(weight, shira_indices, shira_weight, Scaling);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        bool recording = is_grad_enabled() && (input.requires_grad || shira_weight.requires_grad || weight.requires_grad || (bias?.requires_grad ?? false));
        var path = EffectiveGradientPath;
        bool denseThroughFunction = path == ShiraGradientPath.Dense && (DenseKeepsOnlyInput ?? weight.device_type != DeviceType.CPU);
        if (!recording || (path == ShiraGradientPath.Dense && !denseThroughFunction))
            return nn.functional.linear(input, EffectiveWeight(), bias).MoveToOuterDisposeScope();

        var settings = new ShiraSparseLinearSettings(Scaling, _gradientChunkTokens, SparseForward, _entries, FreeInputAfterBackward, DenseValueGradient: denseThroughFunction);
        return ShiraSparseLinearFunction.Apply(input, shira_weight, weight, bias, shira_indices, settings).MoveToOuterDisposeScope();
    }

    /// <summary>The trained update as adapter data (values scaled by α), for the layer at <paramref name="modulePath"/>.</summary>
    public SparseAdapterLayer ToAdapterLayer(string modulePath)
    {
        using var scope = NewDisposeScope();
        long[] flat = shira_indices.cpu().data<long>().ToArray();
        float[] values = shira_weight.detach().Times(Scaling).to(ScalarType.Float32).cpu().data<float>().ToArray();
        return SparseAdapterLayer.FromFlatIndices(modulePath, OutFeatures, InFeatures, flat, values);
    }

    /// <summary>
    /// Writes <c>W + α·S</c> into the base weight in place (in the weight's type, with the arithmetic of
    /// <see cref="EffectiveWeight"/>) and returns the plain <see cref="Linear"/> holding it.
    /// </summary>
    public Linear MergeAndUnload()
    {
        using (no_grad())
        {
            using var flat = weight.view(-1);
            using var values = shira_weight.detach();
            ShiraUpdateArithmetic.AddInPlace(flat, shira_indices, values, Scaling);
        }
        return Unload();
    }

    /// <summary>Returns the plain base <see cref="Linear"/> without the update.</summary>
    /// <remarks>The layer's own tensors (values and indices) are freed; it must not be used afterwards.</remarks>
    public Linear Unload()
    {
        var plain = nn.Linear(weight, bias);
        shira_weight.grad?.Dispose();
        shira_weight.Dispose();
        shira_indices.Dispose();
        return plain;
    }
}
