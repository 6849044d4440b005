namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>Creates layers initialized as Hugging Face's <c>LlamaPreTrainedModel._init_weights</c> does.</summary>
internal static class LlamaInit
{
    /// <summary>A linear layer with weight ~ N(0, std) and zero bias.</summary>
    public static nn.Module<Tensor, Tensor> Linear(long inFeatures, long outFeatures, bool bias, double std, ScalarType dtype, Device? device)
    {
        var linear = ParameterInit.Linear(inFeatures, outFeatures, hasBias: bias, dtype: dtype, device: device);
        using (no_grad())
        {
            ParameterInit.Normal(linear.weight, std);
            if (linear.bias is not null)
                nn.init.zeros_(linear.bias);
        }
        return linear;
    }
}
