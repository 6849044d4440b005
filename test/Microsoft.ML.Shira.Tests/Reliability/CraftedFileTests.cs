using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Tests.Reliability.Fuzzing;

namespace Microsoft.ML.Shira.Tests.Reliability;

/// <summary>
/// Hand-made hostile files the mutation fuzzer is unlikely to produce: zip entries that climb out of the archive, are
/// absolute, repeat, lie about their size or expand a thousandfold; safetensors headers that claim 2^64−1 bytes, point
/// outside the data, overlap, name unknown dtypes or nest deeply. Each is refused with <see cref="ShiraFormatException"/>
/// naming the problem, allocates little, and writes nothing anywhere.
/// </summary>
[TestClass]
public sealed class CraftedFileTests
{
    private static (MLContext Context, byte[] Zip) Saved => FuzzTargets.SmallGeneratorZip.Value;

    [TestMethod]
    [DataRow("../evil.txt", DisplayName = "parent segment")]
    [DataRow("Shira/../../evil.txt", DisplayName = "nested parent segments")]
    [DataRow("/etc/evil.txt", DisplayName = "absolute path")]
    [DataRow("C:/evil.txt", DisplayName = "drive letter")]
    [DataRow("Shira\\evil.txt", DisplayName = "backslash")]
    public void EntriesOutsideTheArchiveAreRefusedAndNothingIsWritten(string name)
    {
        string probe = TestPaths.NewTempDirectory();
        string cwd = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = probe;
            var error = LoadRefused(WithExtraEntry(Saved.Zip, name, Encoding.UTF8.GetBytes("owned")));
            StringAssert.Contains(error.Message, $"entry '{name}'");
            StringAssert.Contains(error.Message, "not a relative path");
            Assert.IsEmpty(Directory.GetFileSystemEntries(probe), "Nothing is extracted.");
            Assert.IsFalse(File.Exists(Path.Combine(Path.GetTempPath(), "evil.txt")));
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
            Directory.Delete(probe, recursive: true);
        }
    }

    [TestMethod]
    public void ADuplicateEntryIsRefused()
    {
        string first = EntryNames(Saved.Zip).First(n => !n.EndsWith('/'));
        var error = LoadRefused(WithExtraEntry(Saved.Zip, first, ReadEntry(Saved.Zip, first)));
        StringAssert.Contains(error.Message, "occurs twice");
    }

    [TestMethod]
    public void ACompressionBombIsRefusedBeforeItExpands()
    {
        // 1 GiB of zeros deflates to about 1 MB: a 1000:1 ratio.
        using var bomb = new MemoryStream();
        using (var archive = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = archive.CreateEntry("Shira/manifest.json", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 1024; i++)
                stream.Write(zeros);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = LoadRefused(bomb.ToArray());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        StringAssert.Contains(error.Message, "compression bomb");
        Assert.IsLessThan(64L << 20, allocated, $"Refused after allocating {allocated:N0} bytes, not the bomb's 1 GiB.");
    }

    [TestMethod]
    [DataRow(-1, DisplayName = "declared one byte short")]
    [DataRow(+1, DisplayName = "declared one byte long")]
    public void AnEntryWhoseDeclaredSizeLiesIsRefused(int delta)
    {
        string name = EntryNames(Saved.Zip).First(n => n.EndsWith(".safetensors", StringComparison.Ordinal));
        var error = LoadRefused(WithDeclaredSize(Saved.Zip, name, delta));
        StringAssert.Contains(error.Message, $"entry '{name}'");
    }

    [TestMethod]
    public void AMissingEntryIsNamed()
    {
        string name = EntryNames(Saved.Zip).First(n => n.EndsWith(".safetensors", StringComparison.Ordinal));
        var error = LoadRefused(Without(Saved.Zip, name));
        StringAssert.Contains(error.Message, name);
    }

    [TestMethod]
    public void SafetensorsHeaderLengthsAreCheckedBeforeAllocating()
    {
        foreach (ulong length in new ulong[] { ulong.MaxValue, (ulong)long.MaxValue + 1, 1UL << 40, 1000 })
        {
            var file = new byte[64];
            BinaryPrimitives.WriteUInt64LittleEndian(file, length);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.ThrowsExactly<ShiraFormatException>(() => SafetensorsFile.Parse(file, "crafted.safetensors"), $"header length {length}");
            Assert.IsLessThan(1L << 20, GC.GetAllocatedBytesForCurrentThread() - before, $"header length {length}");
            StringAssert.Contains(error.Message, "crafted.safetensors");
        }
    }

    [TestMethod]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlap", DisplayName = "overlapping tensors")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,80]}}""", 8, "", DisplayName = "offsets past the data")]
    [DataRow("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "", DisplayName = "shape disagrees with the byte range")]
    [DataRow("""{"a":{"dtype":"Q9","shape":[2],"data_offsets":[0,8]}}""", 8, "Q9", DisplayName = "unknown dtype")]
    [DataRow("""{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}""", 8, "", DisplayName = "shape product overflows")]
    public void SafetensorsHeadersThatLieAreRefused(string header, int dataBytes, string mentioned)
    {
        var error = Assert.ThrowsExactly<ShiraFormatException>(() => SafetensorsFile.Parse(Safetensors(header, dataBytes), "crafted.safetensors"));
        StringAssert.Contains(error.Message, mentioned);
    }

    [TestMethod]
    public void DeeplyNestedJsonIsRefused()
    {
        string header = """{"__metadata__":""" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.ThrowsExactly<ShiraFormatException>(() => SafetensorsFile.Parse(Safetensors(header, 0), "crafted.safetensors"));
    }

    private static byte[] Safetensors(string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        return file;
    }

    private static ShiraFormatException LoadRefused(byte[] zip)
    {
        using var stream = new MemoryStream(zip);
        return Assert.ThrowsExactly<ShiraFormatException>(() => (Saved.Context.Shira().Model.Load(stream, out _) as IDisposable)?.Dispose());
    }

    private static List<string> EntryNames(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.Select(e => e.FullName).ToList();
    }

    private static byte[] ReadEntry(byte[] zip, string name)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var data = archive.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        data.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The archive rewritten entry by entry, optionally leaving one out, then with an extra entry.</summary>
    private static byte[] Rewrite(byte[] zip, string? skip, (string Name, byte[] Data)? extra)
    {
        using var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (string name in EntryNames(zip).Where(n => n != skip))
            {
                using var stream = target.CreateEntry(name, CompressionLevel.Fastest).Open();
                stream.Write(ReadEntry(zip, name));
            }
            if (extra is var (extraName, data))
            {
                using var stream = target.CreateEntry(extraName, CompressionLevel.Fastest).Open();
                stream.Write(data);
            }
        }
        return output.ToArray();
    }

    private static byte[] WithExtraEntry(byte[] zip, string name, byte[] data) => Rewrite(zip, null, (name, data));

    private static byte[] Without(byte[] zip, string name) => Rewrite(zip, name, null);

    /// <summary>
    /// The archive with the uncompressed size of entry <paramref name="name"/> changed by <paramref name="delta"/> in its
    /// central-directory record (what <see cref="ZipArchive"/> reports as the entry's length).
    /// </summary>
    private static byte[] WithDeclaredSize(byte[] zip, string name, int delta)
    {
        var bytes = (byte[])zip.Clone();
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (int i = 0; i + 46 < bytes.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) != 0x02014b50)
                continue;
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 28));
            if (!bytes.AsSpan(i + 46, nameLength).SequenceEqual(nameBytes))
                continue;
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 24));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), (uint)(size + delta));
            return bytes;
        }
        throw new InvalidOperationException($"No central-directory record for '{name}'.");
    }
}
