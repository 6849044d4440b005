using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Masks;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>A stack of square bfloat16 Linear layers named <c>0</c>, <c>1</c>, … with SHiRA 1% (random mask) in each: the model of the precision and dense-memory runners.</summary>
internal static class ShiraLinearStack
{
    /// <summary>Builds the stack on <paramref name="device"/> (seed 0) and injects SHiRA with <paramref name="configure"/> applied to the options.</summary>
    public static (nn.Module<Tensor, Tensor> Model, ShiraInjection Injection) Create(long width, int layers, Device device, Action<ShiraInjectionOptions> configure)
    {
        manual_seed(0);
        var model = nn.Sequential(Enumerable.Range(0, layers)
            .Select(i => ((string)$"{i}", (nn.Module<Tensor, Tensor>)nn.Linear(width, width, dtype: ScalarType.BFloat16, device: device))).ToArray());
        var options = new ShiraInjectionOptions
        {
            TargetModules = Enumerable.Range(0, layers).Select(i => $"{i}").ToList(),
            Budget = ShiraBudget.FromSparsity(0.01),
            FreeInputAfterBackward = true,
        };
        configure(options);
        return (model, ShiraInjector.Inject(model, options, new RandomMask(0)));
    }
}
