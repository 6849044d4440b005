using TorchSharp;
using static TorchSharp.torch;

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
internal sealed record ShiraSparseLinearSettings(double Scaling, long ChunkTokens, ShiraSparseForward Forward, ShiraEntries Entries);

/// <summary>
/// <c>y = x·(W + α·scatter(v))ᵀ + b</c> with a backward that never forms the dense weight gradient:
/// <c>∂L/∂x = g·W_eff</c> and <c>∂L/∂v_i = α·Σ_t g[t, r_i]·x[t, c_i]</c>, computed only at the k positions, in token
/// chunks: on the CPU (float32/float64) by <see cref="SampledDotKernel"/>, elsewhere by gathering <c>[chunk, k]</c> columns.
/// Arguments: input, values, weight, bias (or null), flat indices, rows, columns, <see cref="ShiraSparseLinearSettings"/>.
/// The weight and bias get gradients only if they require them (they are frozen in SHiRA training).
/// </summary>
internal sealed class ShiraSparseLinearFunction : autograd.SingleTensorFunction<ShiraSparseLinearFunction>
{
    private const string SettingsKey = "settings";
    private const string NeedsKey = "needs";

    [ThreadStatic]
    private static List<Tensor>? _handedOver;

    /// <inheritdoc />
    public override string Name => nameof(ShiraSparseLinearFunction);

    /// <summary>Runs the function and records it in the autograd graph.</summary>
    public static Tensor Apply(Tensor input, Tensor values, Tensor weight, Tensor? bias, Tensor flatIndices, Tensor rows, Tensor cols, ShiraSparseLinearSettings settings) =>
        apply(input, values, weight, bias!, flatIndices, rows, cols, settings);

    /// <summary>The effective weight <c>W + α·scatter(v)</c> as a new tensor.</summary>
    public static Tensor EffectiveWeight(Tensor weight, Tensor flatIndices, Tensor values, double scaling) =>
        weight.flatten().index_add(0, flatIndices, values, scaling).view(weight.shape);

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (input, values, weight, bias, flat, rows, cols, settings) = Unpack(vars);
        ctx.save_for_backward(new List<Tensor> { input, values, weight, flat, rows, cols });
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
            long chunk = settings.ChunkTokens > 0 ? settings.ChunkTokens : Math.Max(1, AutomaticGatherElements / Math.Max(1, rows.shape[0]));
            foreach (var (start, length) in Chunks(x2.shape[0], chunk))
            {
                using var products = x2.narrow(0, start, length).index_select(1, cols).mul_(values);
                using var target = y2.narrow(0, start, length);
                target.index_add_(1, rows, products, settings.Scaling);
            }
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ReleaseHandedOver();
        var settings = (ShiraSparseLinearSettings)ctx.get_data(SettingsKey);
        var needs = (bool[])ctx.get_data(NeedsKey);
        var grads = new Tensor?[4];
        using (var scope = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            Tensor input = saved[0], values = saved[1], weight = saved[2], flat = saved[3], rows = saved[4], cols = saved[5];
            long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
            var g2 = grad_output.reshape(-1, outFeatures);
            var x2 = input.reshape(-1, inFeatures);

            if (needs[0])
                grads[0] = grad_output.matmul(EffectiveWeight(weight, flat, values, settings.Scaling));
            if (needs[1])
                grads[1] = ValueGradient(g2, x2, rows, cols, settings);
            if (needs[2])
                grads[2] = g2.t().mm(x2);
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
        return new List<Tensor> { grads[0]!, grads[1]!, grads[2]!, grads[3]!, null!, null!, null!, null! };
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

    /// <summary>Elements of each gathered <c>[chunk, k]</c> block when the gather path picks its chunk automatically.</summary>
    internal const long AutomaticGatherElements = 1L << 20;

    /// <summary><c>α·Σ_t g[t, rows]·x[t, cols]</c>: the CPU kernel where it applies, else token-chunked gathers.</summary>
    internal static Tensor ValueGradient(Tensor g2, Tensor x2, Tensor rows, Tensor cols, ShiraSparseLinearSettings settings)
    {
        if (SampledDotKernel.Supports(g2) && x2.dtype == g2.dtype && x2.device_type == DeviceType.CPU)
            return SampledDotKernel.Compute(g2, x2, settings.Entries, settings.ChunkTokens).mul_(settings.Scaling);
        return GatheredValueGradient(g2, x2, rows, cols, settings);
    }

    /// <summary>The device-agnostic value gradient, gathering at most <c>chunk·k</c> elements of g and x at a time.</summary>
    internal static Tensor GatheredValueGradient(Tensor g2, Tensor x2, Tensor rows, Tensor cols, ShiraSparseLinearSettings settings)
    {
        using var scope = NewDisposeScope();
        long chunk = settings.ChunkTokens > 0 ? settings.ChunkTokens : Math.Max(1, AutomaticGatherElements / Math.Max(1, rows.shape[0]));
        Tensor? sum = null;
        foreach (var (start, length) in Chunks(x2.shape[0], chunk))
        {
            using var gathered = g2.narrow(0, start, length).index_select(1, rows);
            using var inputs = x2.narrow(0, start, length).index_select(1, cols);
            var part = gathered.mul_(inputs).sum(0L);
            if (sum is null)
            {
                sum = part;
            }
            else
            {
                sum.add_(part);
                part.Dispose();
            }
        }
        sum ??= zeros(rows.shape[0], dtype: g2.dtype, device: g2.device);
        return sum.mul_(settings.Scaling).MoveToOuterDisposeScope();
    }

    /// <summary>Splits <paramref name="tokens"/> into consecutive ranges of at most <paramref name="chunk"/>.</summary>
    internal static IEnumerable<(long Start, long Length)> Chunks(long tokens, long chunk)
    {
        for (long start = 0; start < tokens; start += chunk)
            yield return (start, Math.Min(chunk, tokens - start));
    }

    private static (Tensor Input, Tensor Values, Tensor Weight, Tensor? Bias, Tensor Flat, Tensor Rows, Tensor Cols, ShiraSparseLinearSettings Settings) Unpack(object[] vars) =>
        ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], vars[3] as Tensor, (Tensor)vars[4], (Tensor)vars[5], (Tensor)vars[6], (ShiraSparseLinearSettings)vars[7]);
}
