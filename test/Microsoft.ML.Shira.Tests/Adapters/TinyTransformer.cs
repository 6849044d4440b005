using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

/// <summary>A small random-init transformer encoder with Hugging Face-style names, for engine tests.</summary>
internal sealed class TinyTransformer : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<TinyLayer> layer;
    private readonly Linear classifier;

    public TinyTransformer(int hidden = 32, int layers = 2, int classes = 3, long seed = 1) : base(nameof(TinyTransformer))
    {
        torch.random.manual_seed(seed);
        layer = new ModuleList<TinyLayer>(Enumerable.Range(0, layers).Select(_ => new TinyLayer(hidden)).ToArray());
        classifier = nn.Linear(hidden, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        foreach (var l in layer)
            x = l.call(x);
        return classifier.call(x.mean(new long[] { 1 })).MoveToOuterDisposeScope();
    }
}

internal sealed class TinyLayer : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> query;
    private readonly nn.Module<Tensor, Tensor> key;
    private readonly nn.Module<Tensor, Tensor> value;
    private readonly nn.Module<Tensor, Tensor> dense;
    private readonly Sequential mlp;
    private readonly LayerNorm LayerNorm;

    public TinyLayer(int hidden) : base(nameof(TinyLayer))
    {
        query = nn.Linear(hidden, hidden);
        key = nn.Linear(hidden, hidden);
        value = nn.Linear(hidden, hidden);
        dense = nn.Linear(hidden, hidden);
        mlp = nn.Sequential(("fc1", nn.Linear(hidden, 2 * hidden)), ("act", nn.GELU()), ("fc2", nn.Linear(2 * hidden, hidden)));
        LayerNorm = nn.LayerNorm(hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var scores = matmul(query.call(x), key.call(x).transpose(1, 2)) / Math.Sqrt(x.shape[^1]);
        var attended = matmul(softmax(scores, -1), value.call(x));
        var h = LayerNorm.call(x + dense.call(attended));
        return (h + mlp.call(h)).MoveToOuterDisposeScope();
    }
}
