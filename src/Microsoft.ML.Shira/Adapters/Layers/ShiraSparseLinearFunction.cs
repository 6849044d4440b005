using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>How the sparse path computes its forward output (an experiment knob; see docs/benchmarks-training.md).</summary>
internal enum ShiraSparseForward
{
    /// <summary><c>linear(x, W + α·scatter(v), b)</c>: one O(out·in) copy of the weight, then one matmul.</summary>
    EffectiveWeight = 0,

    /// <summary><c>linear(x, W, b)</c> plus <c>index_add</c> over output columns of <c>x[:, cols]·α·v</c>: O(tokens·k) gathers.</summary>
    GatheredColumns = 1,
}

/// <summary>Non-tensor arguments of <see cref="ShiraSparseLinearFunction"/>.</summary>
/// <param name="Scaling">α.</param>
/// <param name="ChunkTokens">Tokens per chunk of the value gradient (and of the gathered forward); 0 for automatic.</param>
/// <param name="Forward">Forward formulation.</param>
/// <param name="Entries">The k positions as managed arrays (for the CPU kernel).</param>
/// <param name="FreeInputAfterBackward">Free the saved input once the backward has run (see <see cref="ShiraLinear.FreeInputAfterBackward"/>).</param>
/// <param name="DenseValueGradient">
/// The dense path without autograd keeping <c>W_eff</c>: the value gradient is read from the dense weight gradient
/// <c>gᵀ·x</c> (one matrix product, as autograd's dense path forms it) instead of being computed at the k positions.
/// </param>
internal sealed record ShiraSparseLinearSettings(
    double Scaling, long ChunkTokens, ShiraSparseForward Forward, ShiraPositions Entries, bool FreeInputAfterBackward, bool DenseValueGradient = false);

/// <summary>
/// <c>y = x·(W + α·scatter(v))ᵀ + b</c> that keeps only the input (not <c>W_eff</c>) for its backward, with a backward
/// that, on the sparse path, never forms the dense weight gradient:
/// <c>∂L/∂x = g·W_eff</c> and <c>∂L/∂v_i = α·Σ_t g[t, r_i]·x[t, c_i]</c>, computed only at the k positions, in token
/// chunks: on the CPU (float32/float64) by <see cref="SampledDotKernel"/>, elsewhere by gathering <c>[chunk, k]</c> columns;
/// with <see cref="ShiraSparseLinearSettings.DenseValueGradient"/> (the dense path off the CPU) read from <c>gᵀ·x</c>.
/// Either way <c>W_eff</c> is rebuilt in the backward instead of being kept from the forward (one weight's worth of
/// memory per adapted layer until its backward, 1.9 GB over TinyLlama's 154 matrices in bfloat16).
/// Arguments: input, values, weight, bias (or null), flat indices, <see cref="ShiraSparseLinearSettings"/>.
/// The weight and bias get gradients only if they require them (they are frozen in SHiRA training).
/// With <see cref="ShiraSparseLinearSettings.FreeInputAfterBackward"/>, the saved input is freed as soon as the backward
/// has run (<see cref="SavedTensorRelease"/>), so a graph through this function can then be backpropagated only once.
/// </summary>
internal sealed class ShiraSparseLinearFunction : autograd.SingleTensorFunction<ShiraSparseLinearFunction>
{
    private const string SettingsKey = "settings";
    private const string NeedsKey = "needs";
    private const string ReleasedKey = "released";

    [ThreadStatic]
    private static List<Tensor>? _handedOver;

    /// <inheritdoc />
    public override string Name => nameof(ShiraSparseLinearFunction);

    /// <summary>Runs the function and records it in the autograd graph.</summary>
    public static Tensor Apply(Tensor input, Tensor values, Tensor weight, Tensor? bias, Tensor flatIndices, ShiraSparseLinearSettings settings) =>
        apply(input, values, weight, bias!, flatIndices, settings);

    /// <summary>The effective weight <c>W + α·scatter(v)</c> as a new tensor (<see cref="ShiraUpdateArithmetic.Add"/>).</summary>
    public static Tensor EffectiveWeight(Tensor weight, Tensor flatIndices, Tensor values, double scaling) =>
        ShiraUpdateArithmetic.Add(weight, flatIndices, values, scaling);

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (input, values, weight, bias, flat, settings) = Unpack(vars);
        ctx.save_for_backward(new List<Tensor> { input, values, weight, flat });
        ctx.save_data(SettingsKey, settings);
        ctx.save_data(NeedsKey, new[] { input.requires_grad, values.requires_grad, weight.requires_grad, bias?.requires_grad ?? false });

        using var scope = NewDisposeScope();
        Tensor output;
        if (settings.Forward == ShiraSparseForward.EffectiveWeight)
        {
            output = nn.functional.linear(input, EffectiveWeight(weight, flat, values, settings.Scaling), bias);
        }
        else
        {
            output = nn.functional.linear(input, weight, bias);
            var x2 = input.reshape(-1, input.shape[^1]);
            var y2 = output.view(-1, output.shape[^1]);
            var (rows, cols) = RowsAndColumns(flat, x2.shape[1]);
            long chunk = settings.ChunkTokens > 0 ? settings.ChunkTokens : Math.Max(1, AutomaticGatherElements / Math.Max(1, rows.shape[0]));
            foreach (var (start, length) in Chunks(x2.shape[0], chunk))
            {
                using var products = x2.narrow(0, start, length).index_select(1, cols).mul_(values.to(x2.dtype));
                using var target = y2.narrow(0, start, length);
                TorchScalars.With(settings.Scaling, alpha => target.index_add_(1, rows, products, alpha));
            }
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ReleaseHandedOver();
        if (ctx.get_data(ReleasedKey) is true)
            throw new InvalidOperationException("This SHiRA layer freed its saved input after the first backward (FreeInputAfterBackward); backpropagating through the same graph twice (retain_graph) needs FreeInputAfterBackward = false.");
        var settings = (ShiraSparseLinearSettings)ctx.get_data(SettingsKey);
        var needs = (bool[])ctx.get_data(NeedsKey);
        var grads = new Tensor?[4];
        using (var scope = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            Tensor input = saved[0], values = saved[1], weight = saved[2], flat = saved[3];
            long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
            var g2 = grad_output.reshape(-1, outFeatures);
            var buffer = SharedBuffer(g2, input, weight, needs, settings);

            // The gradients that read the input come first, so that the input is freed before the input gradient (just
            // as large) is allocated: a training step peaks in the backward of the last layers.
            using (var x2 = input.reshape(-1, inFeatures))
            {
                if (needs[1])
                {
                    grads[1] = (settings.DenseValueGradient ? DenseValueGradient(g2, x2, flat, settings.Scaling) : ValueGradient(g2, x2, flat, settings, buffer))
                        .to(values.dtype);
                }
                if (needs[2])
                    grads[2] = g2.t().mm(x2);
            }
            // The input's memory goes only when both our unpacked wrapper and the context's saved variable let go of it.
            input.Dispose();
            if (settings.FreeInputAfterBackward && SavedTensorRelease.Release(ctx))
                ctx.save_data(ReleasedKey, true);

            if (needs[0])
                grads[0] = grad_output.matmul(EffectiveWeightInto(buffer!, weight, flat, values, settings.Scaling));
            if (needs[3])
                grads[3] = g2.sum(0L);
            foreach (var grad in grads)
                grad?.DetachFromDisposeScope();
        }
        // The incoming gradient's wrapper lives in the caller's dispose scope (the whole training step); release it now
        // so this layer's output gradient is freed as soon as autograd is done with it, as for native nodes.
        grad_output.Dispose();
        // Autograd copies the returned tensors when this method returns; our wrappers would keep them (and, through
        // their extra reference, stop autograd from accumulating in place) until the end of the step. Release them at
        // the next backward call of this function on this thread instead.
        var handed = _handedOver ??= new List<Tensor>();
        handed.AddRange(grads.OfType<Tensor>());
        return new List<Tensor> { grads[0]!, grads[1]!, grads[2]!, grads[3]!, null!, null! };
    }

    /// <summary>Disposes the gradients the previous backward call on this thread handed to autograd (already copied by it).</summary>
    internal static void ReleaseHandedOver()
    {
        if (_handedOver is null)
            return;
        foreach (var tensor in _handedOver)
            tensor.Dispose();
        _handedOver.Clear();
    }

    /// <summary>
    /// One buffer for both uses in turn, the CPU kernel's transposed chunks and then the effective weight (two buffers
    /// would both be alive at the training peak); null when neither is needed.
    /// </summary>
    private static Tensor? SharedBuffer(Tensor g2, Tensor input, Tensor weight, bool[] needs, ShiraSparseLinearSettings settings)
    {
        long weightElements = needs[0] ? weight.numel() : 0;
        long kernelElements = needs[1] && !settings.DenseValueGradient && KernelApplies(g2, input) && weight.dtype == SampledDotKernel.ComputeDType(g2.dtype)
            ? SampledDotKernel.ScratchElements(g2.shape[0], weight.shape[0], weight.shape[1], settings.ChunkTokens)
            : 0;
        long elements = Math.Max(weightElements, kernelElements);
        return elements > 0 ? empty(elements, dtype: weight.dtype, device: weight.device) : null;
    }

    /// <summary>
    /// <see cref="EffectiveWeight"/> written into the front of <paramref name="buffer"/> (same arithmetic: a copy of W,
    /// then <see cref="ShiraUpdateArithmetic.AddInPlace"/>); returns the <c>[out, in]</c> view.
    /// </summary>
    private static Tensor EffectiveWeightInto(Tensor buffer, Tensor weight, Tensor flatIndices, Tensor values, double scaling)
    {
        var flat = buffer.narrow(0, 0, weight.numel());
        var effective = flat.view(weight.shape);
        effective.copy_(weight);
        ShiraUpdateArithmetic.AddInPlace(flat, flatIndices, values, scaling);
        return effective;
    }

    /// <summary>Elements of each gathered <c>[chunk, k]</c> block when the gather path picks its chunk automatically.</summary>
    internal const long AutomaticGatherElements = 1L << 20;

    /// <summary>
    /// <c>α·Σ_t g[t, rows]·x[t, cols]</c>: the CPU kernel where it applies (accumulating bfloat16/float16 inputs in
    /// float32), else token-chunked gathers; the caller casts the result to the values' type.
    /// </summary>
    /// <param name="g2">Output gradient <c>[tokens, out]</c>.</param>
    /// <param name="x2">Input <c>[tokens, in]</c>.</param>
    /// <param name="flat">The k flat positions.</param>
    /// <param name="settings">Scaling, chunking and the positions as managed arrays.</param>
    /// <param name="scratch">A free buffer the CPU kernel may overwrite, or null (see <see cref="SampledDotKernel.Compute"/>).</param>
    internal static Tensor ValueGradient(Tensor g2, Tensor x2, Tensor flat, ShiraSparseLinearSettings settings, Tensor? scratch = null)
    {
        if (KernelApplies(g2, x2))
            return SampledDotKernel.Compute(g2, x2, settings.Entries, settings.ChunkTokens, scratch).TimesInPlace(settings.Scaling);
        return GatheredValueGradient(g2, x2, flat, settings);
    }

    /// <summary>
    /// <c>α·(gᵀ·x)[positions]</c>: the dense weight gradient in the activations' type (one matrix product, accumulated in
    /// float32 by the BLAS for bfloat16/float16), read at the k positions and widened to at least float32, then scaled;
    /// the arithmetic of autograd's dense path.
    /// </summary>
    internal static Tensor DenseValueGradient(Tensor g2, Tensor x2, Tensor flat, double scaling)
    {
        using var scope = NewDisposeScope();
        var dense = g2.t().mm(x2);
        var entries = dense.flatten().index_select(0, flat).to(SampledDotKernel.ComputeDType(g2.dtype));
        return entries.TimesInPlace(scaling).MoveToOuterDisposeScope();
    }

    private static bool KernelApplies(Tensor g2, Tensor x2) =>
        SampledDotKernel.Supports(g2) && x2.dtype == g2.dtype && x2.device_type == DeviceType.CPU;

    /// <summary>Whether the value gradient of a layer on <paramref name="device"/> with <paramref name="dtype"/> activations runs on the CPU kernel.</summary>
    internal static bool KernelApplies(DeviceType device, ScalarType dtype) => device == DeviceType.CPU && SampledDotKernel.Supports(dtype);

    /// <summary>The device-agnostic value gradient, gathering at most <c>chunk·k</c> elements of g and x at a time.</summary>
    internal static Tensor GatheredValueGradient(Tensor g2, Tensor x2, Tensor flat, ShiraSparseLinearSettings settings)
    {
        using var scope = NewDisposeScope();
        var (rows, cols) = RowsAndColumns(flat, x2.shape[1]);
        long chunk = settings.ChunkTokens > 0 ? settings.ChunkTokens : Math.Max(1, AutomaticGatherElements / Math.Max(1, rows.shape[0]));
        Tensor? sum = null;
        var compute = SampledDotKernel.ComputeDType(g2.dtype);
        foreach (var (start, length) in Chunks(x2.shape[0], chunk))
        {
            // Multiplied and summed in at least float32 (a bfloat16 or float16 product is exact there), as on the CPU kernel.
            using var gatheredNarrow = g2.narrow(0, start, length).index_select(1, rows);
            using var inputsNarrow = x2.narrow(0, start, length).index_select(1, cols);
            using var gathered = gatheredNarrow.to(compute);
            using var inputs = inputsNarrow.to(compute);
            var part = gathered.mul_(inputs).sum(0L);
            if (sum is null)
            {
                sum = part;
            }
            else
            {
                sum.PlusInPlace(part);
                part.Dispose();
            }
        }
        sum ??= zeros(rows.shape[0], dtype: compute, device: g2.device);
        return sum.TimesInPlace(settings.Scaling).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Row and column of every flat position, built where a gather needs them: the CPU path never does, so a layer keeps
    /// no k-sized row/column tensors (16 bytes per value as int64).
    /// </summary>
    private static (Tensor Rows, Tensor Cols) RowsAndColumns(Tensor flat, long inFeatures) =>
        TorchScalars.With(inFeatures, n => (flat.div(n, rounding_mode: RoundingMode.floor), flat.remainder(n)));

    /// <summary>Splits <paramref name="tokens"/> into consecutive ranges of at most <paramref name="chunk"/>.</summary>
    internal static IEnumerable<(long Start, long Length)> Chunks(long tokens, long chunk)
    {
        for (long start = 0; start < tokens; start += chunk)
            yield return (start, Math.Min(chunk, tokens - start));
    }

    private static (Tensor Input, Tensor Values, Tensor Weight, Tensor? Bias, Tensor Flat, ShiraSparseLinearSettings Settings) Unpack(object[] vars) =>
        ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], vars[3] as Tensor, (Tensor)vars[4], (ShiraSparseLinearSettings)vars[5]);
}
