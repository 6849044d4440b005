using System.Diagnostics;
using Microsoft.ML.Shira.Adapters;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.GpuChecks.Bench;

/// <summary>
/// The indexed-write kernels a whole-model switch could use, timed on one flat copy of the adapted weights (what the
/// consolidated switcher writes into): <c>scatter_</c> with int64 positions (what <c>FusedAdapterSwitcher</c> uses off
/// the CPU), and <c>index_put_</c> with int64 or int32 positions (int32 halves the index traffic). Apply + restore per
/// round, restore checked bit for bit. It tells which kernel can bring the switch under the 1 ms target on a GPU; the
/// library is not changed by it.
/// </summary>
internal static class SwitchKernels
{
    /// <summary>Mean apply + restore in ms per kernel, and whether every kernel restored the weights bit for bit.</summary>
    public static (Dictionary<string, double> Ms, bool BitExact) Measure(nn.Module model, SparseAdapter adapter, int repeats, Action sync)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var layers = adapter.Layers.Values.OrderBy(l => l.ModulePath, StringComparer.Ordinal).ToList();
        var weights = layers.Select(l => model.get_parameter(l.ModulePath + ".weight")!).ToList();
        var flat = cat(weights.Select(w => w.detach().flatten()).ToList(), 0);
        long offset = 0;
        var positions = new List<long>();
        for (int i = 0; i < layers.Count; i++)
        {
            long start = offset;
            positions.AddRange(layers[i].FlatIndices().Select(p => start + p));
            offset += weights[i].numel();
        }
        var index64 = tensor(positions.ToArray(), device: flat.device);
        var values = tensor(layers.SelectMany(l => l.Values).ToArray(), device: flat.device);
        var baseValues = flat.index_select(0, index64);
        var fused = (baseValues.to(ScalarType.Float32) + values).to(flat.dtype);
        var before = flat.clone();
        var kernels = new List<(string Name, Action<Tensor> Write)>
        {
            ("scatter_int64", v => flat.scatter_(0, index64, v)),
            ("index_put_int64", v => flat.index_put_(v, index64)),
        };
        if (flat.numel() <= int.MaxValue)
        {
            var index32 = index64.to(ScalarType.Int32);
            kernels.Add(("index_put_int32", v => flat.index_put_(v, index32)));
        }
        var ms = new Dictionary<string, double>();
        bool exact = true;
        foreach (var (name, write) in kernels)
        {
            for (int i = 0; i < 3; i++)
            {
                write(fused);
                write(baseValues);
            }
            sync();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++)
            {
                write(fused);
                write(baseValues);
            }
            sync();
            ms[name] = watch.Elapsed.TotalMilliseconds / repeats;
            exact &= Checks.CheckModels.SameBits(flat, before);
        }
        return (ms, exact);
    }
}
