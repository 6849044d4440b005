using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Checkpoints;

/// <summary>
/// The checkpoints of data/arch-refs, written by Hugging Face transformers 5.17 with PEFT 0.21 SHiRA adapters: our
/// loader must reproduce transformers' outputs on the same token ids and padding mask (<c>base</c>), and PEFT's with
/// the adapter active (<c>adapted</c>), within 1e-4 (data/arch-refs/README.md).
/// </summary>
[TestClass]
public sealed class ArchitectureReferenceTests
{
    private const double Tolerance = 1e-4;

    [TestMethod]
    [DataRow("llama-untied-gqa", "llama")]
    [DataRow("mistral", "mistral")]
    [DataRow("qwen2", "qwen2")]
    [DataRow("qwen3", "qwen3")]
    [DataRow("gemma", "gemma")]
    [DataRow("phi3", "phi3")]
    [DataRow("bert-no-pooler-targets", "bert")]
    [DataRow("roberta", "roberta")]
    [DataRow("distilbert", "distilbert")]
    public void TransformersAndPeftOutputsAreReproduced(string folder, string modelType)
    {
        string root = Path.Combine(TestPaths.Data, "arch-refs", folder);
        var references = SafetensorsFile.Open(Path.Combine(root, "references.safetensors"));
        using var scope = torch.NewDisposeScope();
        var ids = references.GetTensor("input_ids");
        var mask = references.GetTensor("attention_mask");
        using var model = HuggingFaceLoader.Load(Path.Combine(root, "base"));
        Assert.AreEqual(modelType, model.ModelType);
        var module = (nn.Module)model;
        module.eval();

        double baseError = MaxError(Run(model, ids, mask), references.GetTensor("base"), mask);
        var adapter = PeftShiraAdapterFile.Load(Path.Combine(root, "adapter"), module, "peft");
        using var switcher = new FusedAdapterSwitcher(module);
        switcher.Register(adapter);
        switcher.Activate("peft");
        double adaptedError = MaxError(Run(model, ids, mask), references.GetTensor("adapted"), mask);
        Console.WriteLine($"{folder}: max |ours − transformers| {baseError:E2}, with the PEFT adapter {adaptedError:E2} ({adapter.ParameterCount} adapter values).");
        Assert.IsLessThan(Tolerance, baseError, "base");
        Assert.IsLessThan(Tolerance, adaptedError, "adapted");
        Assert.IsGreaterThan(100 * Tolerance, MaxError(references.GetTensor("base"), references.GetTensor("adapted"), mask), "The adapter changes the output (so the check above means something).");
    }

    [TestMethod]
    [DataRow("roberta", "RobertaModel", "roberta.")]
    [DataRow("distilbert", "DistilBertModel", "distilbert.")]
    public void EncodersExportUnderTheirOwnClassAndTaskCheckpointsWithTheirPrefixLoad(string folder, string architecture, string prefix)
    {
        string root = Path.Combine(TestPaths.Data, "arch-refs", folder);
        using var model = HuggingFaceLoader.Load(Path.Combine(root, "base"));
        var expected = model.Module.state_dict();
        string directory = TestPaths.NewTempDirectory();
        try
        {
            HuggingFaceExporter.Save(model, Path.Combine(directory, "export"));
            string config = File.ReadAllText(Path.Combine(directory, "export", "config.json"));
            StringAssert.Contains(config, $"\"model_type\": \"{folder}\"");
            StringAssert.Contains(config, architecture);
            using var reloaded = HuggingFaceLoader.Load(Path.Combine(directory, "export"));
            foreach (var (name, tensor) in reloaded.Module.state_dict())
                CollectionAssert.AreEqual(expected[name].bytes.ToArray(), tensor.bytes.ToArray(), name);

            // The ForSequenceClassification checkpoints store the encoder under the prefix and add a classifier.
            var source = SafetensorsFile.Open(Path.Combine(root, "base", "model.safetensors"));
            var prefixed = source.Entries.Keys.ToDictionary(n => prefix + n, n => source.GetTensor(n));
            prefixed["classifier.weight"] = torch.zeros(2, 64);
            Directory.CreateDirectory(Path.Combine(directory, "task"));
            File.Copy(Path.Combine(root, "base", "config.json"), Path.Combine(directory, "task", "config.json"));
            SafetensorsWriter.Write(Path.Combine(directory, "task", "model.safetensors"), prefixed);
            using var task = HuggingFaceLoader.Load(Path.Combine(directory, "task"));
            foreach (var (name, tensor) in task.Module.state_dict())
                CollectionAssert.AreEqual(expected[name].bytes.ToArray(), tensor.bytes.ToArray(), name);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Tensor Run(IHuggingFaceModel model, Tensor ids, Tensor mask)
    {
        using var noGrad = torch.no_grad();
        return model switch
        {
            LlamaForCausalLM llama => llama.Forward(ids, mask),
            BertModel bert => bert.forward(ids, mask),
            Models.DistilBert.DistilBertModel distilbert => distilbert.call(ids, mask),
            _ => throw new AssertFailedException($"No forward for {model.GetType().Name}."),
        };
    }

    /// <summary>Max absolute difference after zeroing padded positions, as the references were written.</summary>
    private static double MaxError(Tensor ours, Tensor reference, Tensor mask)
    {
        var m = mask.to(ScalarType.Float32).unsqueeze(-1);
        return (ours * m - reference * m).abs().max().item<float>();
    }
}
