using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.Tests.Adapters;
using Microsoft.ML.Shira.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Training;

/// <summary>A batch of <see cref="TinyTransformer"/> inputs <c>[rows, 6, hidden]</c> and class labels.</summary>
internal sealed record TinyBatch(Tensor X, Tensor Y);

/// <summary>
/// <see cref="TinyTransformer"/> classification as a <see cref="TrainingTask{TBatch}"/>, recording every progress report;
/// validation is the mean loss (lower wins).
/// </summary>
internal sealed class TinyTrainingTask(TinyTransformer model) : TrainingTask<TinyBatch>
{
    public List<LoopProgress> Reports { get; } = new();

    public override nn.Module Model => model;

    public override string ModelKind => "model";

    public override string PeftTaskType => "SEQ_CLS";

    public override string DivergenceHint => "lower the test's learning rate";

    public override Tensor Loss(TinyBatch batch) => nn.functional.cross_entropy(model.call(batch.X), batch.Y);

    public override long LossWeight(TinyBatch batch) => batch.Y.shape[0];

    public override long Work(TinyBatch batch) => batch.Y.shape[0];

    public override string Speed(double rowsPerSecond) => $"{rowsPerSecond:F1} rows/s";

    public override IValidationScore Validate(IReadOnlyList<TinyBatch> batches, CancellationToken token) => new LossScore(MeanLoss(batches));

    public override IValidationScore ScoreFrom(IReadOnlyList<double> components) => new LossScore(components[0]);

    public override void Report(LoopProgress progress) => Reports.Add(progress);

    /// <summary>The steps' batch losses, in order.</summary>
    public List<double> StepLosses => Reports.Where(r => !r.IsEpochEnd).Select(r => r.Loss).ToList();

    public double MeanLoss(IEnumerable<TinyBatch> batches)
    {
        using var noGrad = no_grad();
        return batches.Average(b => nn.functional.cross_entropy(model.call(b.X), b.Y).item<float>());
    }

    /// <summary>Batches labeled by a fixed random linear teacher of the mean input.</summary>
    public static List<TinyBatch> Batches(int count, int hidden = 32, ScalarType dtype = ScalarType.Float32, long seed = 123)
    {
        manual_seed(seed);
        var teacher = randn(hidden, 3, dtype: dtype);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = randn(16, 6, hidden, dtype: dtype);
            return new TinyBatch(x, matmul(x.mean(new long[] { 1 }), teacher).argmax(1));
        }).ToList();
    }

    /// <summary>The same batches every epoch (batch b holds rows 16b … 16b + 15).</summary>
    public sealed class Fixed(IReadOnlyList<TinyBatch> batches) : IEpochBatches<TinyBatch>
    {
        public int Count => batches.Count;

        public int Rows => batches.Sum(b => (int)b.Y.shape[0]);

        public IEnumerable<TinyBatch> Epoch(int epoch) => batches;

        public IReadOnlyList<int> RowsOf(int epoch, int batchIndex) => Enumerable.Range(16 * batchIndex, (int)batches[batchIndex].Y.shape[0]).ToList();
    }

    private sealed record LossScore(double Loss) : IValidationScore
    {
        public double Value => Loss;

        public IReadOnlyList<double> Components => [Loss];

        public string NoImprovement => "no lower validation loss";

        public bool IsBetterThan(IValidationScore? best) => best is not LossScore o || Loss < o.Loss;

        public string Describe() => $"validation loss {Loss:F4}";

        public string DescribeKept() => Describe();
    }
}

/// <summary>An <see cref="MlContextLog"/> whose messages are collected.</summary>
internal sealed class CollectedLog : IDisposable
{
    private readonly MLContext _context = new(seed: 1);

    public CollectedLog()
    {
        _context.Log += (_, e) =>
        {
            if (e.Source == "test")
                Messages.Add(e.RawMessage);
        };
        Log = new MlContextLog(_context, "test");
    }

    public MlContextLog Log { get; }

    public List<string> Messages { get; } = new();

    public void Dispose() => Log.Dispose();
}
