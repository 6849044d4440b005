using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

/// <summary>A tiny <c>Sequential(Linear(4, 5), ReLU, Linear(5, 3))</c> with an MSE loss and fixed calibration batches.</summary>
internal sealed class CalibrationFixture : IDisposable
{
    private readonly DisposeScope _scope = NewDisposeScope();

    public CalibrationFixture(int batchCount = 3)
    {
        var generator = new Generator(17, CPU);
        First = nn.Linear(4, 5);
        Second = nn.Linear(5, 3);
        using (no_grad())
        {
            First.weight.copy_(randn([5, 4], generator: generator));
            First.bias!.copy_(randn([5], generator: generator));
            Second.weight.copy_(randn([3, 5], generator: generator));
            Second.bias!.copy_(randn([3], generator: generator));
        }
        Model = nn.Sequential(("0", First), ("1", nn.ReLU()), ("2", Second));
        for (int i = 0; i < batchCount; i++)
            Batches.Add((randn([6, 4], generator: generator), randn([6, 3], generator: generator)));
    }

    public Linear First { get; }

    public Linear Second { get; }

    public Sequential Model { get; }

    public List<(Tensor X, Tensor Y)> Batches { get; } = [];

    public (string, Parameter)[] BothWeights => [("0", First.weight), ("2", Second.weight)];

    public Tensor Loss((Tensor X, Tensor Y) batch) => nn.functional.mse_loss(Model.forward(batch.X), batch.Y);

    /// <summary>
    /// Σ over the first <paramref name="batchCount"/> batches of |∂L/∂W| (or |W ⊙ ∂L/∂W|) for both weights, from the
    /// closed-form gradient of the MSE loss (no autograd): with N = numel(o), dO = 2(o − y)/N, ∂L/∂W₂ = dOᵀh,
    /// ∂L/∂W₁ = (dO W₂ ⊙ [pre &gt; 0])ᵀx.
    /// </summary>
    public (Tensor First, Tensor Second) HandComputedScores(int batchCount, bool snip)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w1 = First.weight.detach();
        var w2 = Second.weight.detach();
        var sum1 = zeros(5, 4);
        var sum2 = zeros(3, 5);
        foreach (var (x, y) in Batches.Take(batchCount))
        {
            var pre = x.matmul(w1.t()) + First.bias!.detach();
            var h = pre.relu();
            var o = h.matmul(w2.t()) + Second.bias!.detach();
            var dO = (o - y) * (2.0 / o.numel());
            var g2 = dO.t().matmul(h);
            var g1 = (dO.matmul(w2) * (pre > 0).to(ScalarType.Float32)).t().matmul(x);
            sum1.add_(snip ? (w1 * g1).abs() : g1.abs());
            sum2.add_(snip ? (w2 * g2).abs() : g2.abs());
        }
        return (sum1.MoveToOuterDisposeScope(), sum2.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        Model.Dispose();
        _scope.Dispose();
    }
}
