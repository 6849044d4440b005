namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// Hugging Face's <c>BertLayer</c>: one transformer block.
/// Submodules: <c>attention</c>, <c>intermediate</c>, <c>output</c>.
/// </summary>
internal sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // Naming styles
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;
#pragma warning restore IDE1006

    /// <summary>Creates a randomly initialized block for <paramref name="config"/>.</summary>
    public BertLayer(BertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config, dtype, device);
        intermediate = new BertIntermediate(config, dtype, device);
        output = new BertResidualOutput(config.IntermediateSize, config, dtype, device);
        RegisterComponents();
    }

    /// <summary>Runs the block on <c>[B, T, hidden]</c> states.</summary>
    /// <param name="hiddenStates">Input states.</param>
    /// <param name="additiveMask">Attention-score bias, broadcastable to <c>[B, heads, T, T]</c>.</param>
    public override Tensor forward(Tensor hiddenStates, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var attended = attention.call(hiddenStates, additiveMask);
        var expanded = intermediate.call(attended);
        return output.call(expanded, attended).MoveToOuterDisposeScope();
    }
}
