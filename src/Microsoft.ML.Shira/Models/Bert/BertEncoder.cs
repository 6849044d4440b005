using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>Hugging Face's <c>BertEncoder</c>: the stack of blocks, submodule <c>layer</c> (<c>layer.0</c>, <c>layer.1</c>, …).</summary>
internal sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // Naming styles
    private readonly ModuleList<BertLayer> layer;
#pragma warning restore IDE1006

    /// <summary>Creates <see cref="BertConfig.NumHiddenLayers"/> randomly initialized blocks.</summary>
    public BertEncoder(BertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(BertEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        layer = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config, dtype, device)).ToArray());
        RegisterComponents();
    }

    /// <summary>The blocks, in order (a snapshot of the <c>layer</c> list).</summary>
    public IReadOnlyList<BertLayer> Layers => layer.ToArray();

    /// <summary>Runs every block in turn.</summary>
    /// <param name="hiddenStates">Embeddings, <c>[B, T, hidden]</c>.</param>
    /// <param name="additiveMask">Attention-score bias, broadcastable to <c>[B, heads, T, T]</c>.</param>
    /// <returns>The last hidden state, <c>[B, T, hidden]</c>.</returns>
    public override Tensor forward(Tensor hiddenStates, Tensor additiveMask)
    {
        Tensor current = hiddenStates;
        foreach (var block in layer)
        {
            var next = block.call(current, additiveMask);
            if (!ReferenceEquals(current, hiddenStates))
                current.Dispose();
            current = next;
        }
        return ReferenceEquals(current, hiddenStates) ? hiddenStates.alias() : current;
    }
}
