using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models.Bert;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// The real MiniLM-L6 encoder plus a mean-pooling classification head, one fixed batch, and AdamW over the parameters
/// the method trains. <see cref="Step"/> is one training step: forward, backward, optimizer step.
/// </summary>
public sealed class TrainingStepSetup : IDisposable
{
    /// <summary>Modules adapted by SHiRA and LoRA.</summary>
    public static readonly string[] Targets = { "query", "key", "value", "dense" };

    private const int Classes = 4;
    private readonly PretrainedEncoder _encoder;
    private readonly Linear _head;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _ids;
    private readonly Tensor _mask;
    private readonly Tensor _labels;

    private TrainingStepSetup(TrainingMethod method, int batch, int sequence)
    {
        Method = method;
        manual_seed(0);
        _encoder = PretrainedEncoders.MiniLmL6V2();
        _head = nn.Linear(_encoder.Bert.Config.HiddenSize, Classes);
        var generator = new Generator(0);
        _ids = randint(1000, 30000, new long[] { batch, sequence }, generator: generator, dtype: ScalarType.Int64);
        _mask = ones(batch, sequence, dtype: ScalarType.Int64);
        _labels = randint(0, Classes, new long[] { batch }, generator: generator, dtype: ScalarType.Int64);

        var trainable = Prepare(method).ToList();
        trainable.AddRange(_head.parameters());
        AdapterParameters = trainable.Sum(p => p.numel()) - _head.parameters().Sum(p => p.numel());
        _encoder.Bert.train();
        _head.train();
        _optimizer = optim.AdamW(trainable, 1e-4);
    }

    /// <summary>The method trained.</summary>
    public TrainingMethod Method { get; }

    /// <summary>Trainable parameters outside the head.</summary>
    public long AdapterParameters { get; }

    /// <summary>A description of what is trained, e.g. the LoRA ranks.</summary>
    public string Description { get; private set; } = "";

    /// <summary>Loads the model and prepares <paramref name="method"/> for a <c>batch × sequence</c> batch.</summary>
    public static TrainingStepSetup Create(TrainingMethod method, int batch = 32, int sequence = 64) => new(method, batch, sequence);

    /// <summary>One training step; returns the loss.</summary>
    public double Step()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        var hidden = _encoder.Bert.forward(_ids, _mask);
        var logits = _head.call(SentencePooling.Mean(hidden, _mask));
        var loss = nn.functional.cross_entropy(logits, _labels);
        loss.backward();
        _optimizer.step();
        return loss.ToDouble();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        _ids.Dispose();
        _mask.Dispose();
        _labels.Dispose();
        _head.Dispose();
        _encoder.Dispose();
    }

    private IEnumerable<Parameter> Prepare(TrainingMethod method)
    {
        var model = _encoder.Bert;
        switch (method)
        {
            case TrainingMethod.ShiraSparse:
            case TrainingMethod.ShiraDense:
                var options = new ShiraInjectionOptions
                {
                    TargetModules = Targets,
                    Budget = ShiraBudget.FromSparsity(0.01),
                    GradientPath = method == TrainingMethod.ShiraSparse ? ShiraGradientPath.Sparse : ShiraGradientPath.Dense,
                    FreeInputAfterBackward = true,
                };
                var injection = ShiraInjector.Inject(model, options, new RandomMask(0));
                Description = $"SHiRA 1% ({injection.Layers.Count} layers, {injection.TrainableParameters:N0} values)";
                return injection.Parameters();
            case TrainingMethod.Lora:
                var ranks = new SortedDictionary<string, int>();
                var layers = LinearInjector.Inject(model, new TargetModuleMatcher(Targets), (path, linear) =>
                {
                    long outFeatures = linear.weight!.shape[0], inFeatures = linear.weight.shape[1];
                    int rank = LoraRankFor(outFeatures, inFeatures);
                    ranks[$"{outFeatures}x{inFeatures}"] = rank;
                    return new LoraLinear(linear, rank, alpha: 2 * rank);
                });
                Description = $"LoRA ({layers.Count} layers; r = {string.Join(", ", ranks.Select(r => $"{r.Value} for {r.Key}"))})";
                return layers.SelectMany(l => new[] { l.Layer.A, l.Layer.B });
            case TrainingMethod.Full:
                foreach (var p in model.parameters())
                    p.requires_grad = true;
                Description = "full fine-tuning";
                return model.parameters();
            case TrainingMethod.HeadOnly:
                foreach (var p in model.parameters())
                    p.requires_grad = false;
                Description = "head only";
                return Enumerable.Empty<Parameter>();
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, null);
        }
    }

    /// <summary>LoRA rank with about SHiRA's 1% budget of an out×in matrix: <c>round(k / (in + out))</c>, at least 1.</summary>
    public static int LoraRankFor(long outFeatures, long inFeatures)
    {
        long k = ShiraBudget.FromSparsity(0.01).EntriesFor(outFeatures, inFeatures);
        return (int)Math.Max(1, Math.Round(k / (double)(outFeatures + inFeatures)));
    }
}
