using System.IO.Compression;
using Microsoft.ML.Data;
using Microsoft.ML.Shira.ModelFiles;
using Microsoft.ML.Shira.ModelFiles.Archive;
using Microsoft.ML.Shira.Tests.Encoders;
using Microsoft.ML.Shira.Tests.MlNet;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Tests.Checkpoints;

/// <summary>
/// A base model embedded in a model file is written as transformers-style shards streamed from scratch files, and its
/// large entries are read from the file when used rather than held in arrays: no entry or model size is bounded by 2 GB.
/// Shown here with the thresholds lowered so that a small model takes the paths a multi-GB one takes.
/// </summary>
[TestClass]
public sealed class EmbeddedBaseShardTests
{
    private static ShiraTextClassificationOptions Options(string folder) => EncoderFolders.ClassifierOptions(folder, maxSequenceLength: 32, seed: 4);

    /// <summary>Every stored entry stays on disk while the scope lasts, as the weights of a multi-GB base do.</summary>
    private static IDisposable EveryEntryOnDisk()
    {
        long threshold = ModelArchiveReader.OnDiskEntryBytes;
        ModelArchiveReader.OnDiskEntryBytes = 1;
        return new Restore(() => ModelArchiveReader.OnDiskEntryBytes = threshold);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    [TestMethod]
    public void AnEmbeddedBaseIsShardedStreamedAndReadBackFromDiskExactly()
    {
        string folder = EncoderFolders.DistilBert();
        string file = Path.Combine(TestPaths.NewTempDirectory(), "model.zip");
        using (EveryEntryOnDisk())
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 32));
            var test = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("test", 16));
            float[] scores;
            using (var trained = ml.Shira().Train(data, Options(folder)))
            {
                scores = trained.Transform(test).GetColumn<float>("Score").ToArray();
                ml.Shira().Model.Save(trained, data.Schema, file, new ShiraSaveOptions { EmbedBaseModel = true, MaxEmbeddedShardBytes = 100_000 });
            }
            Directory.Delete(folder, recursive: true);

            using (var zip = ZipFile.OpenRead(file))
            {
                var shards = zip.Entries.Where(e => e.FullName.Contains("/base/model-", StringComparison.Ordinal)).ToList();
                Assert.IsTrue(shards.Count > 1, $"The ~0.4 MB base is split into shards of at most 100 kB ({shards.Count}).");
                Assert.IsTrue(shards.All(e => e.CompressedLength == e.Length), "Weights are stored uncompressed, so they can be streamed.");
                Assert.IsNotNull(zip.Entries.SingleOrDefault(e => e.FullName.EndsWith("/base/model.safetensors.index.json", StringComparison.Ordinal)));
                Assert.IsFalse(zip.Entries.Any(e => e.FullName.EndsWith("/base/model.safetensors", StringComparison.Ordinal)));
            }
            Assert.AreEqual(0, Directory.GetDirectories(Path.GetTempPath(), "shira-save-*").Count(d => Directory.GetFiles(d, "*", SearchOption.AllDirectories).Length > 0 && Directory.GetCreationTimeUtc(d) > DateTime.UtcNow.AddMinutes(-5)),
                "The scratch files of the save are deleted.");

            using var loaded = (ShiraTextClassificationTransformer)ml.Shira().Model.Load(file, out _);
            CollectionAssert.AreEqual(scores, loaded.Transform(test).GetColumn<float>("Score").ToArray(), "The sharded, streamed base loads back bit for bit.");
        }
    }

    [TestMethod]
    public void ADamagedOnDiskEntryIsFoundByItsDigest()
    {
        string folder = EncoderFolders.DistilBert();
        string file = Path.Combine(TestPaths.NewTempDirectory(), "model.zip");
        using var onDisk = EveryEntryOnDisk();
        try
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 16));
            using (var trained = ml.Shira().Train(data, Options(folder)))
                ml.Shira().Model.Save(trained, data.Schema, file, new ShiraSaveOptions { EmbedBaseModel = true });
            string name;
            using (var zip = ZipFile.Open(file, ZipArchiveMode.Update))
            {
                var entry = zip.Entries.Single(e => e.FullName.EndsWith("/base/model.safetensors", StringComparison.Ordinal));
                name = entry.FullName;
                byte[] bytes;
                using (var input = entry.Open())
                using (var copy = new MemoryStream())
                {
                    input.CopyTo(copy);
                    bytes = copy.ToArray();
                }
                bytes[^1] ^= 0x55;
                entry.Delete();
                var replaced = zip.CreateEntry(name, CompressionLevel.NoCompression);
                using var output = replaced.Open();
                output.Write(bytes);
            }
            var error = Assert.ThrowsExactly<ShiraFormatException>(() => ml.Shira().Model.Load(file, out _));
            StringAssert.Contains(error.Message, $"entry '{name}' is damaged");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
