using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>SHiRA training steps on the device lower the loss of a fixed batch of real text (float32, default gradient path).</summary>
internal static class TrainingChecks
{
    private const int Steps = 5;

    /// <summary>Next-token loss of 4 TinyStories paragraphs (32 tokens each) on stories260K.</summary>
    public static string Generation(CheckContext context)
    {
        using var decoder = CheckModels.Stories(context.Device);
        var ids = CheckModels.StoryBatch(decoder, context.DataDirectory, count: 4, tokens: 32, context.Device);
        var injection = Inject(decoder.Model.Module);
        using var optimizer = optim.AdamW(injection.Parameters(), lr: 1e-2);
        var losses = Train(optimizer, () =>
        {
            var logits = decoder.Model.Forward(ids);
            return nn.functional.cross_entropy(logits[.., ..^1].reshape(-1, logits.shape[^1]), ids[.., 1..].reshape(-1));
        });
        return Verdict(losses, injection);
    }

    /// <summary>
    /// Sentiment of 8 SST-2 training sentences (tokenized by stories260K's tokenizer): stories260K's decoder stack,
    /// mean-pooled over real tokens, and a linear head; SHiRA values and head trained.
    /// </summary>
    public static string Classification(CheckContext context)
    {
        using var decoder = CheckModels.Stories(context.Device);
        var llama = (LlamaForCausalLM)decoder.Model;
        var lines = File.ReadLines(Path.Combine(context.DataDirectory, "classification", "sst2", "stsa.binary.train")).Take(8).ToArray();
        var labels = tensor(lines.Select(l => (long)(l[0] - '0')).ToArray(), dtype: ScalarType.Int64, device: context.Device);
        var encoded = lines.Select(l => decoder.Tokenizer.Encode(l[2..]).Take(48).ToArray()).ToArray();
        int length = encoded.Max(e => e.Length);
        var ids = tensor(encoded.SelectMany(e => e.Concat(Enumerable.Repeat(0, length - e.Length)).Select(i => (long)i)).ToArray(), [lines.Length, length], dtype: ScalarType.Int64, device: context.Device);
        var mask = tensor(encoded.SelectMany(e => Enumerable.Repeat(1L, e.Length).Concat(Enumerable.Repeat(0L, length - e.Length))).ToArray(), [lines.Length, length], dtype: ScalarType.Int64, device: context.Device);
        var injection = Inject(llama);
        using var head = nn.Linear(llama.Config.HiddenSize, 2, device: context.Device);
        using var optimizer = optim.AdamW(injection.Parameters().Concat(head.parameters()), lr: 1e-2);
        var weights = mask.to(ScalarType.Float32).unsqueeze(-1);
        var losses = Train(optimizer, () =>
        {
            var hidden = llama.Model.Forward(ids, mask, null);
            var pooled = (hidden * weights).sum(1) / weights.sum(1);
            return nn.functional.cross_entropy(head.call(pooled), labels);
        });
        return Verdict(losses, injection);
    }

    private static ShiraInjection Inject(nn.Module model) =>
        ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = CheckModels.Targets, Budget = ShiraBudget.FromRank(4) }, new RandomMask(1));

    private static List<double> Train(optim.Optimizer optimizer, Func<Tensor> loss)
    {
        var losses = new List<double>();
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var value = loss();
            value.backward();
            optimizer.step();
            losses.Add(value.item<float>());
        }
        return losses;
    }

    private static string Verdict(List<double> losses, ShiraInjection injection)
    {
        string detail = $"loss {losses[0]:F4} → {losses[^1]:F4} in {losses.Count} steps ({injection.TrainableParameters:N0} SHiRA values, {injection.Layers[0].Layer.GradientPath} path)";
        if (!(losses[^1] < losses[0]) || losses.Any(double.IsNaN))
            throw new CheckFailedException("the loss did not decrease: " + detail);
        return detail;
    }
}
