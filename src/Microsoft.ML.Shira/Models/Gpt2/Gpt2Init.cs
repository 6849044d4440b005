namespace Microsoft.ML.Shira.Models.Gpt2;

/// <summary>Creates layers initialized as Hugging Face's <c>GPT2PreTrainedModel._init_weights</c> does.</summary>
internal static class Gpt2Init
{
    /// <summary>
    /// A projection held as a standard <c>Linear</c> (weight <c>[out, in]</c>) with weight ~ N(0, std) and zero bias.
    /// Hugging Face stores it as a <c>Conv1D</c> with weight <c>[in, out]</c>; the loader and exporter transpose.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Conv1D(long inFeatures, long outFeatures, double std, ScalarType dtype, Device? device)
    {
        var linear = ParameterInit.Linear(inFeatures, outFeatures, hasBias: true, dtype: dtype, device: device);
        using (no_grad())
        {
            ParameterInit.Normal(linear.weight, std);
            nn.init.zeros_(linear.bias!);
        }
        return linear;
    }

    /// <summary>Standard deviation of the residual output projections (<c>c_proj</c>): <c>initializer_range / √(2·n_layer)</c>.</summary>
    public static double ResidualStd(Gpt2Config config) => config.InitializerRange / Math.Sqrt(2.0 * config.NLayer);
}
