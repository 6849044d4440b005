using TorchSharp.Modules;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// Root-mean-square layer norm as in Hugging Face <c>LlamaRMSNorm</c>: normalizes in float32, casts back to the input
/// dtype, then scales by <c>weight</c>. Gemma's variant (<c>GemmaRMSNorm</c>) scales by <c>1 + weight</c>, in float32
/// before the cast, and starts from a weight of zeros.
/// </summary>
internal sealed class LlamaRMSNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the Hugging Face parameter names (RegisterComponents uses them).
    private Parameter weight;
#pragma warning restore IDE1006
    private readonly double _eps;
    private readonly bool _scaleByOnePlusWeight;

    /// <summary>Creates the norm with a weight of ones (of zeros when it scales by <c>1 + weight</c>).</summary>
    public LlamaRMSNorm(long size, double eps, ScalarType dtype = ScalarType.Float32, Device? device = null, bool scaleByOnePlusWeight = false) : base(nameof(LlamaRMSNorm))
    {
        weight = nn.Parameter(scaleByOnePlusWeight ? zeros(size, dtype: dtype, device: device) : ones(size, dtype: dtype, device: device));
        _eps = eps;
        _scaleByOnePlusWeight = scaleByOnePlusWeight;
        RegisterComponents();
    }

    /// <summary>The scale, <c>[size]</c>.</summary>
    public Parameter Weight => weight;

    /// <summary>Epsilon added to the mean square.</summary>
    public double Epsilon => _eps;

    /// <summary>Normalizes the last dimension.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = input.to(ScalarType.Float32);
        var variance = hidden.Power(2).mean(new long[] { -1 }, keepdim: true);
        hidden = hidden * rsqrt(variance.Plus(_eps));
        if (_scaleByOnePlusWeight)
            return (hidden * weight.to(ScalarType.Float32).Plus(1.0)).to(input.dtype).MoveToOuterDisposeScope();
        return (weight * hidden.to(input.dtype)).MoveToOuterDisposeScope();
    }
}
