using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// Hugging Face's <c>BertOutput</c>: the feed-forward down-projection, dropout, residual add and LayerNorm.
/// Submodules: <c>dense</c> (a Linear an adapter may replace), <c>LayerNorm</c>.
/// </summary>
internal sealed class BertOutput : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // Naming styles
    private nn.Module<Tensor, Tensor> dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    /// <summary>Creates randomly initialized weights for <paramref name="config"/>.</summary>
    public BertOutput(BertConfig config) : base(nameof(BertOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        (dense, LayerNorm, dropout) = ResidualLayerNorm.Create(config.IntermediateSize, config);
        RegisterComponents();
    }

    /// <summary>Returns <c>LayerNorm(dropout(dense(intermediate)) + residual)</c>.</summary>
    /// <param name="intermediate">Feed-forward activations, <c>[B, T, intermediate]</c>.</param>
    /// <param name="residual">The feed-forward block's input, <c>[B, T, hidden]</c>.</param>
    public override Tensor forward(Tensor intermediate, Tensor residual) =>
        ResidualLayerNorm.Forward(dense, dropout, LayerNorm, intermediate, residual);
}
