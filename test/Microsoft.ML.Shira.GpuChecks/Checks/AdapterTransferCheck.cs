using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>
/// An adapter trained on one device and saved as PEFT files loads on a model on the other device and gives the
/// trained model's logits there (float32, within 1e-4).
/// </summary>
internal static class AdapterTransferCheck
{
    private const double Tolerance = 1e-4;

    public static string Run(CheckContext context, bool trainOnDevice)
    {
        Device from = trainOnDevice ? context.Device : CPU, to = trainOnDevice ? CPU : context.Device;
        using var source = CheckModels.Stories(from);
        var ids = CheckModels.StoryBatch(source, context.DataDirectory, count: 2, tokens: 48, from);
        var injection = ShiraInjector.Inject(source.Model.Module, new ShiraInjectionOptions { TargetModules = CheckModels.Targets, Budget = ShiraBudget.FromRank(2) }, new RandomMask(3));
        using (var optimizer = optim.AdamW(injection.Parameters(), lr: 1e-2))
        {
            for (int step = 0; step < 3; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var logits = source.Model.Forward(ids);
                nn.functional.cross_entropy(logits[.., ..^1].reshape(-1, logits.shape[^1]), ids[.., 1..].reshape(-1)).backward();
                optimizer.step();
            }
        }
        Tensor trained;
        using (no_grad())
            trained = source.Model.Forward(ids).cpu();

        string directory = Path.Combine(Path.GetTempPath(), "shira-gpu-checks-" + Guid.NewGuid().ToString("N"));
        try
        {
            PeftShiraAdapterFile.Save(injection.ToAdapter("trained", baseModelName: "stories260K"), directory);
            using var target = CheckModels.Stories(to);
            var adapter = PeftShiraAdapterFile.Load(directory, target.Model.Module, "trained");
            using var switcher = new FusedAdapterSwitcher(target.Model.Module);
            switcher.Register(adapter);
            switcher.Activate("trained");
            Tensor loaded;
            using (no_grad())
                loaded = target.Model.Forward(ids.to(to)).cpu();
            double diff = CheckModels.MaxAbsDiff(trained, loaded);
            double moved = adapter.Layers.Values.SelectMany(l => l.Values).Max(v => Math.Abs((double)v));
            if (diff > Tolerance)
                throw new CheckFailedException($"logits on {to} with the loaded adapter differ from the trained model's on {from} by {diff:E2} > {Tolerance:E0}.");
            if (moved == 0)
                throw new CheckFailedException("training left every adapter value at zero, so the transfer proves nothing.");
            return $"trained on {from}, PEFT files, loaded on {to}: max |Δ logits| = {diff:E2} ({adapter.ParameterCount:N0} values, largest |value| {moved:F4})";
        }
        finally
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }
}
