using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;

namespace Microsoft.ML.Shira.Adapters.Injection;

/// <summary>Injects SHiRA layers into a TorchSharp model (the counterpart of PEFT's <c>get_peft_model</c> for SHiRA).</summary>
public static class ShiraInjector
{
    /// <summary>
    /// Wraps every targeted Linear in a <see cref="ShiraLinear"/> whose indices <paramref name="mask"/> chooses,
    /// freezes all other parameters, and returns the handle to train and extract the adapter.
    /// </summary>
    public static ShiraInjection Inject(nn.Module model, ShiraInjectionOptions options, IMaskStrategy mask)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mask);
        var matcher = options.CreateMatcher();
        var baseWeights = new List<KeyValuePair<string, Tensor>>();
        var layers = LinearInjector.Inject(model, matcher, (path, linear) =>
        {
            var weight = linear.weight!;
            long k = options.Budget.EntriesFor(weight.shape[0], weight.shape[1]);
            using var indices = mask.SelectIndices(path, weight, k);
            if (indices.shape[0] != k)
                throw new InvalidOperationException($"Mask {mask.Type} returned {indices.shape[0]} indices for '{path}'; the budget asks for {k}.");
            baseWeights.Add(new(path, weight));
            return new ShiraLinear(linear, indices, options.Scaling, valueDType: options.ValueDType) { GradientPath = options.GradientPath, FreeInputAfterBackward = options.FreeInputAfterBackward };
        });
        string fingerprint = BaseModelFingerprint.Compute(baseWeights);
        return new ShiraInjection(model, layers, options, mask.Type, matcher.Describe(), fingerprint);
    }
}
