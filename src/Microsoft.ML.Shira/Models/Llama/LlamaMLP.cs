namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// The gated feed-forward block of a LLaMA layer: <c>down_proj(act(gate_proj(x)) · up_proj(x))</c>, with SiLU (SwiGLU)
/// or, for Gemma, tanh-approximated GELU (GeGLU); Phi-3 computes gate and up with one fused <c>gate_up_proj</c>.
/// The projections are typed <see cref="nn.Module{T, TResult}"/> so that an adapter can replace them.
/// </summary>
internal sealed class LlamaMLP : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private nn.Module<Tensor, Tensor>? gate_proj;
    private nn.Module<Tensor, Tensor>? up_proj;
    private nn.Module<Tensor, Tensor>? gate_up_proj;
    private nn.Module<Tensor, Tensor> down_proj;
#pragma warning restore IDE1006
    private readonly bool _geluTanh;

    /// <summary>Creates the block with weights drawn from N(0, <c>initializer_range</c>).</summary>
    public LlamaMLP(LlamaConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(LlamaMLP))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.FusedProjections)
        {
            gate_up_proj = LlamaInit.Linear(config.HiddenSize, 2 * config.IntermediateSize, config.MlpBias, config.InitializerRange, dtype, device);
        }
        else
        {
            gate_proj = LlamaInit.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, config.InitializerRange, dtype, device);
            up_proj = LlamaInit.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, config.InitializerRange, dtype, device);
        }
        down_proj = LlamaInit.Linear(config.IntermediateSize, config.HiddenSize, config.MlpBias, config.InitializerRange, dtype, device);
        _geluTanh = config.HiddenAct != "silu";
        RegisterComponents();
    }

    /// <summary><c>down_proj</c>.</summary>
    public nn.Module<Tensor, Tensor> DownProj => down_proj;

    /// <summary>Applies the block to <c>[batch, sequence, hidden]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor gate, up;
        if (gate_up_proj is null)
        {
            (gate, up) = (gate_proj!.call(input), up_proj!.call(input));
        }
        else
        {
            // Phi-3: one fused projection, gate first.
            var halves = gate_up_proj.call(input).chunk(2, -1);
            (gate, up) = (halves[0], halves[1]);
        }
        var activated = _geluTanh ? nn.functional.gelu(gate, global::TorchSharp.Modules.GELU.Approximate.tanh) : nn.functional.silu(gate);
        var gated = activated * up;
        return down_proj.call(gated).MoveToOuterDisposeScope();
    }
}
