using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>Damaged, incomplete or mismatched model files fail with specific errors naming file and entry; saving is atomic.</summary>
[TestClass]
public sealed class ModelFilesErrorTests
{
    private const string Manifest = "Shira/manifest.json";
    private const string AdapterWeights = "Shira/transformers/0/adapters/0/adapter_model.safetensors";

    private static ModelFilesFixture Fixture => ModelFilesFixture.Get();

    [ClassInitialize]
    public static void SaveOnce(TestContext context) => _ = ModelFilesFixture.Get();

    [TestMethod]
    public void GarbageAndTruncatedFilesAreRejectedNamingTheFile()
    {
        string dir = TestPaths.NewTempDirectory();
        string garbage = Path.Combine(dir, "garbage.zip");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray());
        string truncated = Path.Combine(dir, "truncated.zip");
        byte[] bytes = File.ReadAllBytes(Fixture.ChainPath);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);

        foreach (string path in new[] { garbage, truncated })
        {
            var error = Assert.ThrowsExactly<ShiraFormatException>(() => Load(path));
            StringAssert.Contains(error.Message, path);
            StringAssert.Contains(error.Message, "corrupt or truncated");
        }
        var empty = Assert.ThrowsExactly<ShiraFormatException>(() => Fixture.Context.Shira().Model.Load(new MemoryStream(), out _));
        StringAssert.Contains(empty.Message, "(stream)");
    }

    [TestMethod]
    public void MissingEntriesAreRejectedNamingTheEntry()
    {
        foreach (string entry in new[] { AdapterWeights, "Shira/transformers/0/adapters/0/classifier_head.safetensors", "MLNet/segment-1.zip", "MLNet/input-schema.zip" })
        {
            string path = Rewrite(Fixture.ChainPath, (name, data) => name == entry ? null : data);
            var error = Assert.ThrowsExactly<ShiraFormatException>(() => Load(path));
            StringAssert.Contains(error.Message, path);
            StringAssert.Contains(error.Message, $"no entry '{entry}'");
        }
        string noManifest = Rewrite(Fixture.ChainPath, (name, data) => name == Manifest ? null : data);
        StringAssert.Contains(Assert.ThrowsExactly<ShiraFormatException>(() => Load(noManifest)).Message, "not a SHiRA model file");
    }

    [TestMethod]
    public void DamagedEntryIsRejectedNamingTheEntry()
    {
        string path = Rewrite(Fixture.ChainPath, (name, data) =>
        {
            if (name != AdapterWeights)
                return data;
            var copy = (byte[])data.Clone();
            copy[^5] ^= 0x40;
            return copy;
        });
        var error = Assert.ThrowsExactly<ShiraFormatException>(() => Load(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, $"entry '{AdapterWeights}' is damaged");
    }

    [TestMethod]
    public void UnknownFormatVersionAndKindAreRejected()
    {
        string version = RewriteManifest(root => root["formatVersion"] = 99);
        var error = Assert.ThrowsExactly<ShiraFormatException>(() => Load(version));
        StringAssert.Contains(error.Message, version);
        StringAssert.Contains(error.Message, "'formatVersion'");
        StringAssert.Contains(error.Message, "is 99");

        string kind = RewriteManifest(root => root["model"]!["items"]![1]!["kind"] = "text-telepathy");
        var kindError = Assert.ThrowsExactly<ShiraFormatException>(() => Load(kind));
        StringAssert.Contains(kindError.Message, "model.items[1].kind");
        StringAssert.Contains(kindError.Message, "'text-telepathy'");

        string field = RewriteManifest(root => root["model"]!["items"]![1]!["settings"]!.AsObject().Remove("batchSize"));
        StringAssert.Contains(Assert.ThrowsExactly<ShiraFormatException>(() => Load(field)).Message, "model.items[1].settings.batchSize");
    }

    [TestMethod]
    public void BaseModelFingerprintMismatchFailsClearly()
    {
        string path = RewriteManifest(root => root["model"]!["items"]![1]!["settings"]!["base"]!["fingerprint"] = new string('0', 64));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Load(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, Manifest);
        StringAssert.Contains(error.Message, "model.items[1].settings.base.fingerprint");
        StringAssert.Contains(error.Message, "0000000000000000");
    }

    [TestMethod]
    public void UnknownBaseModelPrecisionIsRejected()
    {
        string path = RewriteManifest(root => root["model"]!["items"]![1]!["settings"]!["base"]!["precision"] = "float8");
        var error = Assert.ThrowsExactly<ShiraFormatException>(() => Load(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "model.items[1].settings.base.precision");
        StringAssert.Contains(error.Message, "'float8'");
    }

    [TestMethod]
    public void PlainMlNetZipIsNotASHiraModelFile()
    {
        string path = Path.Combine(TestPaths.NewTempDirectory(), "mlnet.zip");
        Fixture.Context.Model.Save(Fixture.Original.First(), Fixture.InputSchema, path);
        var error = Assert.ThrowsExactly<ShiraFormatException>(() => Load(path));
        StringAssert.Contains(error.Message, "mlContext.Model.Load");
    }

    [TestMethod]
    public void FailingSaveLeavesNoFileAndKeepsAnExistingOne()
    {
        var ml = Fixture.Context;
        string dir = TestPaths.NewTempDirectory();
        var broken = new TransformerChain<ITransformer>(Fixture.Loaded.First(), Fixture.LoadedShira, new UnsaveableTransformer());
        string fresh = Path.Combine(dir, "fresh.zip");
        var notSavable = Assert.ThrowsExactly<NotSupportedException>(() => ml.Shira().Model.Save(broken, Fixture.InputSchema, fresh));
        StringAssert.Contains(notSavable.Message, "cannot be saved");
        Assert.IsFalse(File.Exists(fresh));

        string existing = Path.Combine(dir, "existing.zip");
        File.Copy(Fixture.ChainPath, existing);
        byte[] before = File.ReadAllBytes(existing);
        Assert.ThrowsExactly<NotSupportedException>(() => ml.Shira().Model.Save(broken, Fixture.InputSchema, existing));
        CollectionAssert.AreEqual(before, File.ReadAllBytes(existing), "A failed save keeps the existing file.");

        // A failure while writing (the target is a folder) removes the temporary file too.
        string folder = Path.Combine(dir, "folder.zip");
        Directory.CreateDirectory(folder);
        Assert.ThrowsExactly<IOException>(() => ml.Shira().Model.Save(Fixture.Loaded, Fixture.LoadedInputSchema, folder));
        CollectionAssert.AreEquivalent(new[] { "existing.zip", "folder.zip" }, Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void PlainMlNetSaveOfAChainWithShiraThrowsNotSupported()
    {
        var ml = Fixture.Context;
        using (var stream = new MemoryStream())
        {
            var error = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(Fixture.Loaded, Fixture.LoadedInputSchema, stream));
            StringAssert.Contains(error.Message, "mlContext.Shira().Model.Save");
        }

        // ML.NET creates the file before the transformers save themselves, so a file is left behind; it is not a loadable model.
        string path = Path.Combine(TestPaths.NewTempDirectory(), "plain.zip");
        Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(Fixture.Loaded, Fixture.LoadedInputSchema, path));
        Console.WriteLine(File.Exists(path) ? $"mlContext.Model.Save left a {new FileInfo(path).Length}-byte file." : "mlContext.Model.Save left no file.");
        if (File.Exists(path))
        {
            var loadError = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.Load(path, out _), "ML.NET must not load a SHiRA model without its weights.");
            Console.WriteLine($"mlContext.Model.Load on it: {loadError.GetType().Name}: {loadError.Message}");
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            Console.WriteLine("Entries: " + string.Join(", ", zip.Entries.Select(e => e.FullName)));
        }
    }

    private static ITransformer Load(string path) => Fixture.Context.Shira().Model.Load(path, out _);

    /// <summary>Copies a zip entry by entry through <paramref name="change"/> (null drops the entry) into a new temporary file.</summary>
    private static string Rewrite(string source, Func<string, byte[], byte[]?> change)
    {
        string target = Path.Combine(TestPaths.NewTempDirectory(), "changed.zip");
        using var input = ZipFile.OpenRead(source);
        using var output = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var entry in input.Entries)
        {
            using var buffer = new MemoryStream();
            using (var data = entry.Open())
                data.CopyTo(buffer);
            var changed = change(entry.FullName, buffer.ToArray());
            if (changed is null)
                continue;
            using var stream = output.CreateEntry(entry.FullName, CompressionLevel.Fastest).Open();
            stream.Write(changed);
        }
        return target;
    }

    private static string RewriteManifest(Action<JsonObject> change) =>
        Rewrite(Fixture.ChainPath, (name, data) =>
        {
            if (name != Manifest)
                return data;
            var root = JsonNode.Parse(data)!.AsObject();
            change(root);
            return Encoding.UTF8.GetBytes(root.ToJsonString());
        });

    /// <summary>A pass-through transformer that ML.NET cannot save.</summary>
    private sealed class UnsaveableTransformer : ITransformer
    {
        public bool IsRowToRowMapper => false;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

        public IDataView Transform(IDataView input) => input;

        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException("This test transformer cannot be saved.");
    }
}
