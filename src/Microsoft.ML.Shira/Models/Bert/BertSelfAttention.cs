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

    /// <summary>Creates randomly initialized attention projections for <paramref name="config"/>.</summary>
    public BertSelfAttention(BertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(BertSelfAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        query = ParameterInit.Linear(config.HiddenSize, config.HiddenSize, dtype: dtype, device: device);
        key = ParameterInit.Linear(config.HiddenSize, config.HiddenSize, dtype: dtype, device: device);
        value = ParameterInit.Linear(config.HiddenSize, config.HiddenSize, dtype: dtype, device: device);
        dropout = nn.Dropout(config.AttentionProbsDropoutProb);
        _heads = config.NumAttentionHeads;
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
        return Attend(query.call(hiddenStates), key.call(hiddenStates), value.call(hiddenStates), additiveMask, _heads, dropout)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Multi-head scaled dot-product attention of projected queries, keys and values <c>[B, T, heads·head]</c> with an
    /// additive mask, attention dropout on the probabilities; returns the context <c>[B, T, heads·head]</c>. Shared by
    /// the BERT-family encoders whose projections are named differently (DistilBERT's <c>q_lin</c>, …).
    /// </summary>
    public static Tensor Attend(Tensor queries, Tensor keys, Tensor values, Tensor additiveMask, long heads, Dropout dropout)
    {
        using var scope = NewDisposeScope();
        long batch = queries.shape[0], length = queries.shape[1], width = queries.shape[2], headSize = width / heads;
        Tensor Split(Tensor x) => x.view(batch, length, heads, headSize).transpose(1, 2);
        var scores = matmul(Split(queries), Split(keys).transpose(-1, -2)).TimesInPlace(1.0 / Math.Sqrt(headSize)).PlusInPlace(additiveMask);
        // bfloat16/float16 scores are normalized in float32 (as autocast does, and as the LLaMA and GPT-2 attention do).
        var probs = scores.dtype is ScalarType.BFloat16 or ScalarType.Float16
            ? dropout.call(scores.softmax(-1, ScalarType.Float32).to(scores.dtype))
            : dropout.call(scores.softmax(-1));
        var context = matmul(probs, Split(values)).transpose(1, 2).contiguous();
        return context.reshape(batch, length, width).MoveToOuterDisposeScope();
    }
}
