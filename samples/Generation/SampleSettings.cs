using System.Globalization;

namespace Microsoft.ML.Shira.Samples.Generation;

/// <summary>
/// Command-line settings: <c>--train N --validation N --test N --epochs E --lr X --sparsity S --threads T --base FOLDER</c>
/// (a Hugging Face decoder folder to adapt instead of the built-in stories260K). One thread
/// by default: the model is so small that a second thread gains little, and on a busy 2-core machine it was slower.
/// </summary>
internal sealed record SampleSettings(int TrainSpeeches, int ValidationSpeeches, int TestSpeeches, int Epochs, double LearningRate, double Sparsity, int Threads, string? BaseFolder)
{
    public static SampleSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i + 1 < args.Length; i += 2)
            values[args[i].TrimStart('-')] = args[i + 1];
        string Get(string key, string fallback) => values.TryGetValue(key, out var v) ? v : fallback;
        return new SampleSettings(
            int.Parse(Get("train", "2000"), CultureInfo.InvariantCulture),
            int.Parse(Get("validation", "200"), CultureInfo.InvariantCulture),
            int.Parse(Get("test", "400"), CultureInfo.InvariantCulture),
            int.Parse(Get("epochs", "3"), CultureInfo.InvariantCulture),
            double.Parse(Get("lr", "1e-2"), CultureInfo.InvariantCulture),
            double.Parse(Get("sparsity", "0.01"), CultureInfo.InvariantCulture),
            int.Parse(Get("threads", "1"), CultureInfo.InvariantCulture),
            values.GetValueOrDefault("base"));
    }
}
