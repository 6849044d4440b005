using TorchSharp.Modules;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// Hugging Face's <c>BertSelfAttention</c>: multi-head scaled dot-product self-attention.
/// Submodules: <c>query</c>, <c>key</c>, <c>value</c> (Linear layers an adapter may replace).
/// </summary>
internal sealed class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    // Linear layers are typed Module<Tensor, Tensor> (not the sealed Linear) so an adapter injector can swap them.
#pragma warning disable IDE1006 // Naming styles
    private nn.Module<Tensor, Tensor> query;
    private nn.Module<Tensor, Tensor> key;
    private nn.Module<Tensor, Tensor> value;
    private readonly Dropout dropout;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _headSize;
    private readonly double _scale;

    /// <summary>Creates randomly initialized attention projections for <paramref name="config"/>.</summary>
    public BertSelfAttention(BertConfig config) : base(nameof(BertSelfAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        query = nn.Linear(config.HiddenSize, config.HiddenSize);
        key = nn.Linear(config.HiddenSize, config.HiddenSize);
        value = nn.Linear(config.HiddenSize, config.HiddenSize);
        dropout = nn.Dropout(config.AttentionProbsDropoutProb);
        _heads = config.NumAttentionHeads;
        _headSize = config.HeadSize;
        _scale = 1.0 / Math.Sqrt(_headSize);
        RegisterComponents();
    }

    /// <summary>Attends over <c>[B, T, hidden]</c> states.</summary>
    /// <param name="hiddenStates">Input states, <c>[B, T, hidden]</c>.</param>
    /// <param name="additiveMask">Bias added to the attention scores, broadcastable to <c>[B, heads, T, T]</c>
    /// (0 for visible keys, a large negative value for padding).</param>
    /// <returns>Context states, <c>[B, T, hidden]</c>.</returns>
    public override Tensor forward(Tensor hiddenStates, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        long batch = hiddenStates.shape[0], length = hiddenStates.shape[1];
        var q = SplitHeads(query.call(hiddenStates), batch, length);
        var k = SplitHeads(key.call(hiddenStates), batch, length);
        var v = SplitHeads(value.call(hiddenStates), batch, length);

        var scores = matmul(q, k.transpose(-1, -2)).TimesInPlace(_scale).PlusInPlace(additiveMask);
        var probs = dropout.call(scores.softmax(-1));
        var context = matmul(probs, v).transpose(1, 2).contiguous();
        return context.reshape(batch, length, (long)_heads * _headSize).MoveToOuterDisposeScope();
    }

    private Tensor SplitHeads(Tensor x, long batch, long length) => x.view(batch, length, _heads, _headSize).transpose(1, 2);
}
