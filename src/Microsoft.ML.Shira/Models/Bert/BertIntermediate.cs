namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// Hugging Face's <c>BertIntermediate</c>: the feed-forward up-projection and its activation.
/// Submodule: <c>dense</c> (a Linear an adapter may replace).
/// </summary>
internal sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Naming styles
    private nn.Module<Tensor, Tensor> dense;
#pragma warning restore IDE1006
    private readonly string _activation;

    /// <summary>Creates randomly initialized weights for <paramref name="config"/>.</summary>
    public BertIntermediate(BertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(BertIntermediate))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = ParameterInit.Linear(config.HiddenSize, config.IntermediateSize, dtype: dtype, device: device);
        _activation = config.HiddenAct;
        RegisterComponents();
    }

    /// <summary>Returns <c>act(dense(x))</c>, <c>[B, T, intermediate]</c>.</summary>
    public override Tensor forward(Tensor hiddenStates)
    {
        using var projected = dense.call(hiddenStates);
        return BertActivation.Apply(_activation, projected);
    }
}
