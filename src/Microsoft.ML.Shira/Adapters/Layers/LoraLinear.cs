using TorchSharp.Modules;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// LoRA baseline (Hu et al., 2021) over a frozen <see cref="Linear"/>: <c>y = x Wᵀ + b + (α/r)·dropout(x) Aᵀ Bᵀ</c>,
/// with A <c>[r, in]</c> Kaiming-uniform and B <c>[out, r]</c> zero, as in Hugging Face PEFT. Supports merge/unmerge.
/// Over a bfloat16/float16 weight the factors are float32 (master weights, as PEFT's <c>autocast_adapter_dtype</c>
/// keeps them) and are cast to the input's type for the product, as autocast would.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;
    private readonly Dropout? lora_dropout;

    /// <summary>Wraps <paramref name="baseLayer"/> with a rank-<paramref name="rank"/> update; freezes the base.</summary>
    public LoraLinear(Linear baseLayer, int rank, double alpha, double dropout = 0.0, Generator? generator = null)
        : base(nameof(LoraLinear))
    {
        ArgumentNullException.ThrowIfNull(baseLayer);
        if (rank <= 0)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, "LoRA rank must be positive.");
        if (dropout is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "LoRA dropout must be in [0, 1).");
        weight = baseLayer.weight ?? throw new ArgumentException("The base Linear has no weight.", nameof(baseLayer));
        bias = baseLayer.bias;
        weight.requires_grad = false;
        if (bias is not null)
            bias.requires_grad = false;
        Rank = rank;
        Scaling = alpha / rank;
        long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
        using (no_grad())
        {
            // PEFT's init: kaiming_uniform_(a=√5), i.e. U(−1/√in, 1/√in).
            double bound = 1.0 / Math.Sqrt(inFeatures);
            var factorType = ShiraLinear.DefaultValueDType(weight.dtype);
            var a = rand(rank, inFeatures, generator: generator).Times(2 * bound).Minus(bound).to(factorType, weight.device);
            lora_A = new Parameter(a, requires_grad: true);
            lora_B = new Parameter(zeros(outFeatures, rank, dtype: factorType, device: weight.device), requires_grad: true);
        }
        if (dropout > 0)
            lora_dropout = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <summary>LoRA rank r.</summary>
    public int Rank { get; }

    /// <summary>α / r.</summary>
    public double Scaling { get; }

    /// <summary>True while <c>(α/r)·B·A</c> is added into the base weight.</summary>
    public bool Merged { get; private set; }

    /// <summary>The A factor <c>[r, in]</c>.</summary>
    public Parameter A => lora_A;

    /// <summary>The B factor <c>[out, r]</c>.</summary>
    public Parameter B => lora_B;

    /// <summary>The frozen base weight.</summary>
    public Parameter Weight => weight;

    /// <summary>Trainable parameter count <c>r·(in+out)</c>.</summary>
    public long TrainableCount => lora_A.numel() + lora_B.numel();

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var result = nn.functional.linear(input, weight, bias);
        if (!Merged)
        {
            var x = lora_dropout is null ? input : lora_dropout.call(input);
            var a = lora_A.dtype == x.dtype ? lora_A : lora_A.to(x.dtype);
            var b = lora_B.dtype == x.dtype ? lora_B : lora_B.to(x.dtype);
            result = result.Plus(nn.functional.linear(nn.functional.linear(x, a), b).Times(Scaling));
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Adds <c>(α/r)·B·A</c> into the base weight (PEFT's merge); forward then costs what the base costs.</summary>
    public void Merge()
    {
        if (Merged)
            throw new InvalidOperationException("The LoRA update is already merged.");
        using (no_grad())
        using (var delta = DeltaWeight())
        using (var cast = delta.to(weight.dtype))
            weight.PlusInPlace(cast);
        Merged = true;
    }

    /// <summary>Subtracts the merged update again (PEFT's unmerge; exact only up to float rounding, as in PEFT).</summary>
    public void Unmerge()
    {
        if (!Merged)
            throw new InvalidOperationException("The LoRA update is not merged.");
        using (no_grad())
        using (var delta = DeltaWeight())
        using (var cast = delta.to(weight.dtype))
            weight.sub_(cast);
        Merged = false;
    }

    /// <summary>The dense update <c>(α/r)·B·A</c> <c>[out, in]</c>, in the factors' type.</summary>
    public Tensor DeltaWeight()
    {
        using var scope = NewDisposeScope();
        return matmul(lora_B, lora_A).Times(Scaling).MoveToOuterDisposeScope();
    }
}
