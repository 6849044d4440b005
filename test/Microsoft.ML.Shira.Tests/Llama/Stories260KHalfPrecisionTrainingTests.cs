using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Tests.Adapters;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Llama;

/// <summary>SHiRA training of the real stories260K with its weights in bfloat16 (or float16) and float32 master values.</summary>
[TestClass]
public sealed class Stories260KHalfPrecisionTrainingTests
{
    private const string Text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her ball. " +
        "One day, she saw a big red bird in a tree. Lily wanted to be friends with the bird.";

    [TestMethod]
    [DataRow(ScalarType.BFloat16, ShiraGradientPath.Auto, ShiraGradientPath.Dense, DisplayName = "bfloat16, Auto (dense)")]
    [DataRow(ScalarType.BFloat16, ShiraGradientPath.Sparse, ShiraGradientPath.Sparse, DisplayName = "bfloat16, sparse")]
    [DataRow(ScalarType.Float16, ShiraGradientPath.Auto, ShiraGradientPath.Dense, DisplayName = "float16, Auto (dense)")]
    public void LossIsFiniteAndDecreasesAndTheBaseWeightsStayUntouched(ScalarType dtype, ShiraGradientPath path, ShiraGradientPath used)
    {
        using var scope = NewDisposeScope();
        using var decoder = PretrainedDecoders.Stories260K(new HuggingFaceLoadOptions { DType = dtype });
        var model = decoder.Model;
        Assert.IsTrue(model.Module.parameters().All(p => p.dtype == dtype), "The base model loads in the half type.");
        var baseWeights = model.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var injection = ShiraInjector.Inject(model.Module, new ShiraInjectionOptions
        {
            TargetModules = { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" },
            FreeInputAfterBackward = true,
            GradientPath = path,
        }, new RandomMask(1));
        Assert.AreEqual(35, injection.Layers.Count);
        Assert.IsTrue(injection.Parameters().All(p => p.dtype == ScalarType.Float32), "The trained values are float32 master values.");
        StringAssert.StartsWith(injection.DescribeGradientPaths(), $"SHiRA gradient path: {used} for 35 layers ({path} on cpu, {dtype} weights, Float32 values)");

        var ids = tensor(decoder.Tokenizer.Encode(Text).Select(i => (long)i).ToArray()).unsqueeze(0);
        var inputs = ids.narrow(1, 0, ids.shape[1] - 1);
        var targets = ids.narrow(1, 1, ids.shape[1] - 1).reshape(-1);
        var losses = new List<double>();
        model.Module.train();
        using (var optimizer = optim.AdamW(injection.Parameters(), 1e-2, weight_decay: 0))
        {
            for (int step = 0; step < 25; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                var logits = model.Forward(inputs);
                Assert.AreEqual(dtype, logits.dtype, "The model computes in the half type.");
                // The loss (log-softmax over the vocabulary) is computed in float32, as the library's trainers do.
                var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]).to(ScalarType.Float32), targets);
                losses.Add(loss.ToDouble());
                loss.backward();
                Assert.IsTrue(injection.Parameters().All(p => p.grad!.dtype == ScalarType.Float32));
                optimizer.step();
            }
        }
        Assert.IsTrue(losses.All(double.IsFinite), string.Join(", ", losses));
        double first = losses.Take(3).Average(), last = losses.TakeLast(3).Average();
        Assert.IsLessThan(first * 0.8, last, $"The loss should fall by more than 20%: {string.Join(", ", losses.Select(l => l.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");

        var adapter = injection.ToAdapter("half");
        Assert.IsTrue(adapter.Layers.Values.Any(l => l.Values.Any(v => v != 0)));
        injection.Unload();
        foreach (var (name, parameter) in model.Module.named_parameters())
            Assert.IsTrue(TensorBits.Same(parameter, baseWeights[name]), $"{name}: a frozen base weight changed.");
    }
}
