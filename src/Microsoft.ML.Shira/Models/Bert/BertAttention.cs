namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>Hugging Face's <c>BertAttention</c>. Submodules: <c>self</c> (<see cref="BertSelfAttention"/>), <c>output</c> (<see cref="BertResidualOutput"/> of the hidden size).</summary>
internal sealed class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // Naming styles
    private readonly BertSelfAttention self;
    private readonly BertResidualOutput output;
#pragma warning restore IDE1006

    /// <summary>Creates randomly initialized weights for <paramref name="config"/>.</summary>
    public BertAttention(BertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config, dtype, device);
        output = new BertResidualOutput(config.HiddenSize, config, dtype, device);
        RegisterComponents();
    }

    /// <summary>Self-attention followed by its output projection and residual LayerNorm.</summary>
    /// <param name="hiddenStates">Input states, <c>[B, T, hidden]</c>.</param>
    /// <param name="additiveMask">Attention-score bias, broadcastable to <c>[B, heads, T, T]</c>.</param>
    public override Tensor forward(Tensor hiddenStates, Tensor additiveMask)
    {
        using var context = self.call(hiddenStates, additiveMask);
        return output.call(context, hiddenStates);
    }
}
