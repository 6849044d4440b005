using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Gpt2;

/// <summary>
/// A straightforward GPT-2 forward pass over the raw checkpoint tensors, in float64, written from the definition:
/// Conv1D is <c>x @ W + b</c> with W stored <c>[in, out]</c>; pre-norm blocks; causal softmax attention; gelu_new.
/// </summary>
internal static class Gpt2Reference
{
    public static Tensor Logits(IReadOnlyDictionary<string, Tensor> raw, long[] ids)
    {
        using var scope = NewDisposeScope();
        Tensor W(string name) => raw[name].to(ScalarType.Float64);
        int length = ids.Length;
        var index = tensor(ids);
        var hidden = W("transformer.wte.weight").index_select(0, index) + W("transformer.wpe.weight").narrow(0, 0, length);
        for (int i = 0; i < Gpt2TestCheckpoint.Layers; i++)
        {
            string p = $"transformer.h.{i}.";
            var normed = LayerNorm(hidden, W(p + "ln_1.weight"), W(p + "ln_1.bias"));
            var qkv = normed.matmul(W(p + "attn.c_attn.weight")) + W(p + "attn.c_attn.bias");
            var heads = new List<Tensor>();
            int dim = Gpt2TestCheckpoint.Embed / Gpt2TestCheckpoint.Heads;
            for (int h = 0; h < Gpt2TestCheckpoint.Heads; h++)
            {
                var q = qkv.narrow(1, h * dim, dim);
                var k = qkv.narrow(1, Gpt2TestCheckpoint.Embed + h * dim, dim);
                var v = qkv.narrow(1, 2 * Gpt2TestCheckpoint.Embed + h * dim, dim);
                var scores = q.matmul(k.t()) / Math.Sqrt(dim);
                var future = ones(length, length, dtype: ScalarType.Bool).triu(1);
                scores = scores.masked_fill(future, double.NegativeInfinity);
                heads.Add(scores.softmax(-1).matmul(v));
            }
            var attended = cat(heads, 1).matmul(W(p + "attn.c_proj.weight")) + W(p + "attn.c_proj.bias");
            hidden = hidden + attended;
            var inner = LayerNorm(hidden, W(p + "ln_2.weight"), W(p + "ln_2.bias")).matmul(W(p + "mlp.c_fc.weight")) + W(p + "mlp.c_fc.bias");
            hidden = hidden + GeluNew(inner).matmul(W(p + "mlp.c_proj.weight")) + W(p + "mlp.c_proj.bias");
        }
        hidden = LayerNorm(hidden, W("transformer.ln_f.weight"), W("transformer.ln_f.bias"));
        return hidden.matmul(W("transformer.wte.weight").t()).MoveToOuterDisposeScope();
    }

    private static Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias)
    {
        var mean = x.mean(new long[] { -1 }, keepdim: true);
        var variance = (x - mean).pow(2).mean(new long[] { -1 }, keepdim: true);
        return (x - mean) / (variance + Gpt2TestCheckpoint.Epsilon).sqrt() * weight + bias;
    }

    private static Tensor GeluNew(Tensor x) =>
        0.5 * x * (1.0 + (Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh());
}
