using System.Text.Json;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Tests.Bert;

/// <summary>The pretrained encoder ships in its own data package, and its carrier package is not a runtime dependency.</summary>
[TestClass]
public sealed class PretrainedEmbeddingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void DataPackageCarriesOnnxAndVocabAndTheLibraryStaysSmall()
    {
        var data = System.Reflection.Assembly.Load(new System.Reflection.AssemblyName(PretrainedResourceNames.DataAssemblyName));
        var names = data.GetManifestResourceNames();
        Assert.Contains("Microsoft.ML.Shira.Pretrained.all-MiniLM-L6-v2.onnx", names);
        Assert.Contains("Microsoft.ML.Shira.Pretrained.all-MiniLM-L6-v2.vocab.txt", names);
        using var vocab = new StreamReader(PretrainedEncoders.OpenMiniLmL6V2Vocab());
        Assert.AreEqual(30522, vocab.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var library = typeof(PretrainedEncoders).Assembly;
        Assert.IsFalse(library.GetManifestResourceNames().Any(n => n.Contains("MiniLM", StringComparison.Ordinal)));
        long libraryBytes = new FileInfo(library.Location).Length;
        Assert.IsLessThan(10_000_000, libraryBytes, "The library carries no encoder weights.");
        TestContext.WriteLine($"{library.GetName().Name}.dll: {libraryBytes:N0} bytes; {data.GetName().Name}.dll: {new FileInfo(data.Location).Length:N0} bytes");
    }

    [TestMethod]
    public void WithoutTheDataPackageMiniLmIsRefusedNamingThePackage()
    {
        var ex = Assert.ThrowsExactly<InvalidOperationException>(
            () => PretrainedResourceNames.Open("Microsoft.ML.Shira.Data.NotReferenced", PretrainedResourceNames.MiniLmL6V2Onnx));
        StringAssert.Contains(ex.Message, "Microsoft.ML.Shira.Data.NotReferenced");
        StringAssert.Contains(ex.Message, "dotnet add package");
        StringAssert.Contains(ex.Message, "FromFolder");
    }

    [TestMethod]
    public void PretrainedEncoderHasModelConfigAndTokenizer()
    {
        var encoder = MiniLmFixture.Encoder;
        Assert.AreEqual(PretrainedEncoders.MiniLmL6V2Name, encoder.Name);
        Assert.AreEqual(BertConfig.MiniLmL6V2, encoder.Bert.Config);
        Assert.IsFalse(encoder.Bert.training);
        Assert.AreEqual(22_565_376L, encoder.Bert.parameters().Sum(p => p.numel())); // 22.7 M with the pooler, which the encoder omits
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
        Assert.DoesNotContain("Microsoft.ML.Shira.Data.MiniLM", closure, "The library does not depend on the encoder's data package.");
        pending.Push("Microsoft.ML.Shira.Data.MiniLM");
        while (pending.TryPop(out var name))
            if (closure.Add(name) && graph.TryGetValue(name, out var children))
                children.ForEach(pending.Push);
        var offending = closure.Where(n => n.StartsWith("SentenceTransformers", StringComparison.OrdinalIgnoreCase)
            || n.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.IsEmpty(offending, string.Join(", ", offending));
        Assert.IsFalse(graph.Keys.Any(n => n.StartsWith("SentenceTransformers", StringComparison.OrdinalIgnoreCase)));
    }
}
