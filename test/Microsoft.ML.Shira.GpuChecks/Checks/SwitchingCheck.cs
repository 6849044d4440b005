using Microsoft.ML.Shira.Adapters.Switching;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>
/// Fused switching on the device: activating writes base + S at the adapter's positions (within the dtype's rounding),
/// and deactivating restores every weight bit for bit; per-layer and with consolidated weights, three rounds each.
/// </summary>
internal static class SwitchingCheck
{
    public static string Run(CheckContext context, ScalarType dtype)
    {
        var details = new List<string>();
        foreach (bool consolidate in new[] { false, true })
        {
            using var decoder = CheckModels.Stories(context.Device, dtype);
            var model = decoder.Model.Module;
            var adapter = CheckModels.RandomAdapter(model);
            // The consolidated switcher may move the weights into its arena: always read what the model holds now.
            Dictionary<string, Tensor> Weights() => model.named_parameters().Where(p => p.parameter.dim() == 2).ToDictionary(p => p.name, p => (Tensor)p.parameter);
            var before = Weights().ToDictionary(p => p.Key, p => p.Value.detach().clone());
            using var switcher = new FusedAdapterSwitcher(model, consolidateWeights: consolidate);
            switcher.Register(adapter);
            double worstFused = 0;
            for (int round = 0; round < 3; round++)
            {
                switcher.Activate("a");
                var weights = Weights();
                using (NewDisposeScope())
                {
                    foreach (var layer in adapter.Layers.Values)
                    {
                        var weight = weights[layer.ModulePath + ".weight"];
                        var positions = tensor(layer.FlatIndices(), device: weight.device);
                        var expected = before[layer.ModulePath + ".weight"].flatten().index_select(0, positions).to(ScalarType.Float64).cpu()
                            + tensor(layer.Values).to(ScalarType.Float64);
                        worstFused = Math.Max(worstFused, CheckModels.MaxAbsDiff(weight.flatten().index_select(0, positions), expected));
                    }
                }
                switcher.Deactivate();
                foreach (var (name, now) in Weights())
                {
                    if (!CheckModels.SameBits(now, before[name]))
                        throw new CheckFailedException($"{name} differs from the base after deactivation (round {round + 1}, consolidated = {consolidate}).");
                }
            }
            double tolerance = dtype == ScalarType.Float32 ? 1e-6 : 4e-3;
            if (worstFused > tolerance)
                throw new CheckFailedException($"fused weights differ from base + S by {worstFused:E2} > {tolerance:E0} (consolidated = {consolidate}).");
            details.Add($"{(consolidate ? "consolidated" : "per layer")}: {adapter.Layers.Count} matrices, {adapter.ParameterCount:N0} entries, fused within {worstFused:E1}, restored bit-exact ×3");
            foreach (var t in before.Values)
                t.Dispose();
        }
        return string.Join("; ", details);
    }
}
