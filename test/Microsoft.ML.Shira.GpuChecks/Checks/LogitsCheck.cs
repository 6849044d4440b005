using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>The device computes what the CPU computes, and what transformers + PEFT computed.</summary>
internal static class LogitsCheck
{
    private const double Tolerance = 1e-4;

    /// <summary>stories260K in float32 with the same fused adapter: device logits = CPU logits within 1e-4.</summary>
    public static string Stories(CheckContext context)
    {
        using var cpuModel = CheckModels.Stories(CPU);
        using var deviceModel = CheckModels.Stories(context.Device);
        var adapter = CheckModels.RandomAdapter(cpuModel.Model.Module);
        var ids = CheckModels.StoryBatch(cpuModel, context.DataDirectory, count: 2, tokens: 48, CPU);
        Tensor Logits(PretrainedDecoder decoder)
        {
            using var switcher = new FusedAdapterSwitcher(decoder.Model.Module);
            switcher.Register(adapter);
            switcher.Activate("a");
            using var noGrad = no_grad();
            return decoder.Model.Forward(ids.to(decoder.Model.Device)).cpu();
        }
        double diff = CheckModels.MaxAbsDiff(Logits(cpuModel), Logits(deviceModel));
        if (diff > Tolerance)
            throw new CheckFailedException($"max |device − CPU| = {diff:E2} > {Tolerance:E0}.");
        return $"max |{context.Device} − cpu| = {diff:E2} over [2, 48, {cpuModel.Model.VocabularySize}] logits" + (context.IsCpu ? " (CPU against itself: trivial here)" : "");
    }

    /// <summary>
    /// data/arch-refs/llama-untied-gqa (written by transformers 5.17 + PEFT 0.21): the device's logits with and without the
    /// PEFT SHiRA adapter reproduce the stored references within 1e-4.
    /// </summary>
    public static string PeftReference(CheckContext context)
    {
        string root = Path.Combine(context.DataDirectory, "arch-refs", "llama-untied-gqa");
        var references = SafetensorsFile.Open(Path.Combine(root, "references.safetensors"));
        var ids = references.GetTensor("input_ids").to(context.Device);
        var mask = references.GetTensor("attention_mask").to(context.Device);
        using var model = HuggingFaceLoader.Load<LlamaForCausalLM>(Path.Combine(root, "base"), new HuggingFaceLoadOptions { Device = context.Device });
        model.eval();
        double Error(string name)
        {
            using var noGrad = no_grad();
            var m = mask.to(ScalarType.Float32).unsqueeze(-1);
            return CheckModels.MaxAbsDiff(model.Forward(ids, mask) * m, references.GetTensor(name).to(context.Device) * m);
        }
        double baseError = Error("base");
        var adapter = PeftShiraAdapterFile.Load(Path.Combine(root, "adapter"), model, "peft");
        using var switcher = new FusedAdapterSwitcher(model);
        switcher.Register(adapter);
        switcher.Activate("peft");
        double adaptedError = Error("adapted");
        if (baseError > Tolerance || adaptedError > Tolerance)
            throw new CheckFailedException($"max |ours − transformers| = {baseError:E2} (base), {adaptedError:E2} (adapted) > {Tolerance:E0}.");
        return $"max |ours − transformers| = {baseError:E2} base, {adaptedError:E2} with the PEFT adapter ({adapter.ParameterCount} values)";
    }
}
