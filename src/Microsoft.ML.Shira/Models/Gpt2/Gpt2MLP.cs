namespace Microsoft.ML.Shira.Models.Gpt2;

/// <summary>
/// The feed-forward block of a GPT-2 layer (Hugging Face <c>GPT2MLP</c>): <c>c_proj(act(c_fc(x)))</c>. The projections
/// are standard <c>Linear</c> layers (Hugging Face's <c>Conv1D</c> stores the transposed weight) typed
/// <see cref="nn.Module{T, TResult}"/> so that an adapter can replace them.
/// </summary>
internal sealed class Gpt2MLP : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private nn.Module<Tensor, Tensor> c_fc;
    private nn.Module<Tensor, Tensor> c_proj;
#pragma warning restore IDE1006
    private readonly string _activation;
    private readonly double _dropout;

    /// <summary>Creates the block with weights initialized as Hugging Face does.</summary>
    public Gpt2MLP(Gpt2Config config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Gpt2MLP))
    {
        ArgumentNullException.ThrowIfNull(config);
        _activation = config.ActivationFunction;
        _dropout = config.ResidPdrop;
        c_fc = Gpt2Init.Conv1D(config.NEmbd, config.InnerSize, config.InitializerRange, dtype, device);
        c_proj = Gpt2Init.Conv1D(config.InnerSize, config.NEmbd, Gpt2Init.ResidualStd(config), dtype, device);
        RegisterComponents();
    }

    /// <summary><c>c_fc</c>: <c>[n_embd] → [n_inner]</c>.</summary>
    public nn.Module<Tensor, Tensor> CFc => c_fc;

    /// <summary><c>c_proj</c>: <c>[n_inner] → [n_embd]</c>.</summary>
    public nn.Module<Tensor, Tensor> CProj => c_proj;

    /// <summary>Applies the block to <c>[batch, sequence, n_embd]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = c_proj.call(Gpt2Activation.Apply(_activation, c_fc.call(input)));
        if (_dropout > 0 && training)
            output = nn.functional.dropout(output, _dropout, training: true);
        return output.MoveToOuterDisposeScope();
    }
}
