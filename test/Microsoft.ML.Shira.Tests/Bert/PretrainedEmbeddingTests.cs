using System.Text.Json;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Tests.Bert;

/// <summary>The pretrained data is embedded in Microsoft.ML.Shira.dll, and its carrier package is not a runtime dependency.</summary>
[TestClass]
public sealed class PretrainedEmbeddingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void LibraryEmbedsOnnxAndVocab()
    {
        var assembly = typeof(PretrainedEncoders).Assembly;
        var names = assembly.GetManifestResourceNames();
        Assert.Contains("Microsoft.ML.Shira.Pretrained.all-MiniLM-L6-v2.onnx", names);
        Assert.Contains("Microsoft.ML.Shira.Pretrained.all-MiniLM-L6-v2.vocab.txt", names);
        using var vocab = new StreamReader(PretrainedEncoders.OpenMiniLmL6V2Vocab());
        Assert.AreEqual(30522, vocab.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        TestContext.WriteLine($"{assembly.GetName().Name}.dll: {new FileInfo(assembly.Location).Length:N0} bytes; ONNX {MiniLmFixture.OnnxBytes.Length:N0} bytes");
    }

    [TestMethod]
    public void PretrainedEncoderHasModelConfigAndTokenizer()
    {
        var encoder = MiniLmFixture.Encoder;
        Assert.AreEqual(PretrainedEncoders.MiniLmL6V2Name, encoder.Name);
        Assert.AreEqual(BertConfig.MiniLmL6V2, encoder.Config);
        Assert.IsFalse(encoder.Model.training);
        Assert.AreEqual(22_565_376L, encoder.Model.parameters().Sum(p => p.numel())); // 22.7 M with the pooler, which the encoder omits
    }

    [TestMethod]
    public void OutputHasNoSentenceTransformersAssembly()
    {
        var found = Directory.GetFiles(AppContext.BaseDirectory, "SentenceTransformers*.dll", SearchOption.AllDirectories);
        Assert.IsEmpty(found, string.Join(", ", found));
    }

    [TestMethod]
    public void LibraryDependencyClosureHasNoOnnxRuntimeOrSentenceTransformers()
    {
        // The test project references ONNX Runtime itself (as the reference implementation); the library must not pull it in.
        string depsFile = Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Shira.Tests.deps.json");
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var target = deps.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        var graph = target.EnumerateObject().ToDictionary(
            p => p.Name.Split('/')[0],
            p => p.Value.TryGetProperty("dependencies", out var d) ? d.EnumerateObject().Select(x => x.Name).ToList() : []);

        var closure = new HashSet<string>();
        var pending = new Stack<string>(["Microsoft.ML.Shira"]);
        while (pending.TryPop(out var name))
            if (closure.Add(name) && graph.TryGetValue(name, out var children))
                children.ForEach(pending.Push);

        Assert.IsTrue(graph.ContainsKey("Microsoft.ML.Shira"));
        var offending = closure.Where(n => n.StartsWith("SentenceTransformers", StringComparison.OrdinalIgnoreCase)
            || n.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.IsEmpty(offending, string.Join(", ", offending));
        Assert.IsFalse(graph.Keys.Any(n => n.StartsWith("SentenceTransformers", StringComparison.OrdinalIgnoreCase)));
    }
}
