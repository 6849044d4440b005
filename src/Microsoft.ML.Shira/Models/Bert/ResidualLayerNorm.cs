using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// What BERT's two output sub-layers (<see cref="BertSelfOutput"/> and <see cref="BertOutput"/>) build and compute:
/// a projection to the hidden size, dropout, a residual add and LayerNorm. The sub-layers keep the modules in their own
/// fields, which give the Hugging Face names (<c>dense</c>, <c>LayerNorm</c>).
/// </summary>
internal static class ResidualLayerNorm
{
    /// <summary>Randomly initialized modules for <paramref name="config"/>: <c>dense</c> from <paramref name="inFeatures"/> to the hidden size, <c>LayerNorm</c>, dropout.</summary>
    public static (nn.Module<Tensor, Tensor> Dense, LayerNorm LayerNorm, Dropout Dropout) Create(long inFeatures, BertConfig config) =>
        (nn.Linear(inFeatures, config.HiddenSize), nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps), nn.Dropout(config.HiddenDropoutProb));

    /// <summary>Returns <c>layerNorm(dropout(dense(input)) + residual)</c>.</summary>
    public static Tensor Forward(nn.Module<Tensor, Tensor> dense, Dropout dropout, LayerNorm layerNorm, Tensor input, Tensor residual)
    {
        using var scope = NewDisposeScope();
        var projected = dropout.call(dense.call(input));
        return layerNorm.call(projected + residual).MoveToOuterDisposeScope();
    }
}
