using System.Text.Json;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models.Llama;
using Microsoft.ML.Shira.Text;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Llama;

/// <summary>One case of reference_greedy.json (llama2.c run.c greedy output).</summary>
public sealed record ReferenceCase(string Prompt, int[] PromptIds, int[] SequenceIds, string SequenceText)
{
    public override string ToString() => Prompt;
}

/// <summary>Access to the stories260K folder and its reference outputs.</summary>
internal static class Stories260KData
{
    public static string Folder => TestPaths.Stories260K;

    public static IReadOnlyList<ReferenceCase> ReferenceCases { get; } = ReadCases();

    public static IEnumerable<object[]> ReferenceCaseData => ReferenceCases.Select(c => new object[] { c });

    public static LlamaForCausalLM LoadModel(HuggingFaceLoadOptions? options = null) =>
        HuggingFaceLoader.Load<LlamaForCausalLM>(Folder, options);

    public static SentencePieceCausalLMTokenizer LoadTokenizer() =>
        SentencePieceCausalLMTokenizer.FromFile(Path.Combine(Folder, "tokenizer.model"));

    /// <summary>Copies config.json (and model.safetensors unless told otherwise) to a new temporary folder.</summary>
    public static string CopyToTemp(bool includeWeights = true)
    {
        string dir = TestPaths.NewTempDirectory();
        File.Copy(Path.Combine(Folder, "config.json"), Path.Combine(dir, "config.json"));
        if (includeWeights)
            File.Copy(Path.Combine(Folder, "model.safetensors"), Path.Combine(dir, "model.safetensors"));
        return dir;
    }

    /// <summary>The original tensors (caller disposes).</summary>
    public static Dictionary<string, Tensor> ReadStateDict() =>
        SafetensorsFile.Open(Path.Combine(Folder, "model.safetensors")).ToStateDict();

    private static ReferenceCase[] ReadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Stories260K, "reference_greedy.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ReferenceCase(
            c.GetProperty("prompt").GetString()!,
            c.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("sequence_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("sequence_text").GetString()!)).ToArray();
    }
}
