using TorchSharp.Modules;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// Hugging Face's <c>BertSelfOutput</c> (after attention) and <c>BertOutput</c> (after the feed-forward block), which
/// differ only in the width of what they project: a projection to the hidden size, dropout, a residual add and
/// LayerNorm. Submodules: <c>dense</c> (a Linear an adapter may replace), <c>LayerNorm</c>.
/// </summary>
internal sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // Naming styles
    private nn.Module<Tensor, Tensor> dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    /// <summary>Creates randomly initialized weights projecting <paramref name="inFeatures"/> to the hidden size of <paramref name="config"/>.</summary>
    public BertResidualOutput(long inFeatures, BertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(BertResidualOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = ParameterInit.Linear(inFeatures, config.HiddenSize, dtype: dtype, device: device);
        LayerNorm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps, device: device, dtype: dtype);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <summary>Returns <c>LayerNorm(dropout(dense(input)) + residual)</c>.</summary>
    /// <param name="input">Attention context <c>[B, T, hidden]</c> or feed-forward activations <c>[B, T, intermediate]</c>.</param>
    /// <param name="residual">The block's input, <c>[B, T, hidden]</c>.</param>
    public override Tensor forward(Tensor input, Tensor residual)
    {
        using var scope = NewDisposeScope();
        var projected = dropout.call(dense.call(input));
        return LayerNorm.call(projected.Plus(residual)).MoveToOuterDisposeScope();
    }
}
