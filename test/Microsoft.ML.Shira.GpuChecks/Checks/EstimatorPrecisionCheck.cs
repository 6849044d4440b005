using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>
/// The ML.NET path on the device in bfloat16: <c>ml.Shira().TextGeneration</c> with <c>BaseModelPrecision = BFloat16</c>
/// trains stories260K on TinyStories, the held-out perplexity falls below the base model's, and a model file rebuilds
/// the bfloat16 model with the same perplexity.
/// </summary>
internal static class EstimatorPrecisionCheck
{
    public static string Run(CheckContext context)
    {
        var ml = new MLContext(seed: 1);
        if (!context.IsCpu)
        {
            ml.GpuDeviceId = context.Device.index < 0 ? 0 : context.Device.index;
            ml.FallbackToCpu = false;
        }
        var paragraphs = CheckModels.StoryParagraphs(context.DataDirectory);
        if (paragraphs.Length < 120)
            throw new CheckFailedException($"tinystories_val.txt has {paragraphs.Length} paragraphs; the check needs 120.");
        var train = ml.Data.LoadFromEnumerable(paragraphs.Take(96).Select(p => new Row { Text = p }).ToList());
        var heldOut = ml.Data.LoadFromEnumerable(paragraphs.Skip(96).Take(24).Select(p => new Row { Text = p }).ToList());
        using var model = ml.Shira().TextGeneration(new ShiraTextGenerationOptions
        {
            Device = context.DeviceName,
            BaseModelPrecision = ShiraPrecision.BFloat16,
            Epochs = 2,
            MaxSequenceLength = 64,
            Seed = 3,
        }).Fit(train);
        if (model.Engine.BasePrecision != ShiraPrecision.BFloat16)
            throw new CheckFailedException($"the trained model's base is {model.Engine.BasePrecision}, not BFloat16.");
        double trained = model.Perplexity(heldOut);
        model.SwitchToBaseModel();
        double baseline = model.Perplexity(heldOut);
        model.SwitchTo("default");
        if (!(trained < 0.95 * baseline))
            throw new CheckFailedException($"held-out perplexity {trained:F3} is not below 95% of the base model's {baseline:F3}.");

        string directory = Path.Combine(Path.GetTempPath(), "shira-gpu-check-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "bf16.zip");
            ml.Shira().Model.Save(model, heldOut.Schema, path);
            using var loaded = (ShiraTextGenerationTransformer)ml.Shira().Model.Load(path, out _);
            double reloaded = loaded.Perplexity(heldOut);
            if (loaded.Engine.BasePrecision != ShiraPrecision.BFloat16 || Math.Abs(reloaded / trained - 1) > 1e-6)
                throw new CheckFailedException($"the model file rebuilt a {loaded.Engine.BasePrecision} model with perplexity {reloaded:R}; trained {trained:R}.");
            return $"held-out perplexity {baseline:F3} → {trained:F3} (BFloat16 base, float32 values); model file reloads it: {reloaded:F3}";
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class Row
    {
        public string Text { get; set; } = "";
    }
}
