using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// Hugging Face's <c>BertSelfOutput</c>: projection of the attention context, dropout, residual add and LayerNorm.
/// Submodules: <c>dense</c> (a Linear an adapter may replace), <c>LayerNorm</c>.
/// </summary>
internal sealed class BertSelfOutput : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // Naming styles
    private nn.Module<Tensor, Tensor> dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    /// <summary>Creates randomly initialized weights for <paramref name="config"/>.</summary>
    public BertSelfOutput(BertConfig config) : base(nameof(BertSelfOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        (dense, LayerNorm, dropout) = ResidualLayerNorm.Create(config.HiddenSize, config);
        RegisterComponents();
    }

    /// <summary>Returns <c>LayerNorm(dropout(dense(context)) + residual)</c>.</summary>
    /// <param name="context">Attention context, <c>[B, T, hidden]</c>.</param>
    /// <param name="residual">The attention block's input, <c>[B, T, hidden]</c>.</param>
    public override Tensor forward(Tensor context, Tensor residual) =>
        ResidualLayerNorm.Forward(dense, dropout, LayerNorm, context, residual);
}
