using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.Training.Checkpoints;
using Microsoft.ML.Shira.Tests.MlNet;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.Reliability;

/// <summary>
/// Every save path, interrupted by a write error at many points (a disk that fills up after N bytes, a stream that fails
/// on flush): the call fails with the I/O error, every file that was there before is intact and loadable, and no
/// temporary file is left behind.
/// </summary>
[TestClass]
public sealed class WriteFaultTests
{
    [TestMethod]
    public void ModelFileSaveKeepsThePreviousFile()
    {
        var model = TrainedShakespeareModel.Get();
        var ml = model.Context;
        var schema = model.HeldOut.Schema;
        CheckSavePath("model file",
            before: dir => File.Copy(ModelFilesFixture.Get().ChainPath, Path.Combine(dir, "model.zip")),
            save: dir => ml.Shira().Model.Save(model.Model, schema, Path.Combine(dir, "model.zip")),
            load: dir => ((IDisposable)ml.Shira().Model.Load(Path.Combine(dir, "model.zip"), out _)).Dispose());
    }

    [TestMethod]
    public void AdapterAndFusedExportsKeepThePreviousFolder()
    {
        var model = TrainedShakespeareModel.Get();
        var ml = model.Context;
        var classifier = ModelFilesFixture.Get();
        CheckSavePath("adapter export",
            before: dir => classifier.Context.Shira().Model.ExportAdapter(classifier.LoadedShira, classifier.LoadedShira.Adapters[0], dir),
            save: dir => ml.Shira().Model.ExportAdapter(model.Model, "default", dir),
            load: dir => PeftShiraAdapterFile.Load(dir));
        CheckSavePath("fused export",
            before: dir => ml.Shira().Model.ExportFused(model.Model, dir, [("default", 0.5)]),
            save: dir => ml.Shira().Model.ExportFused(model.Model, dir),
            load: dir => ShiraDecoderBaseModel.FromFolder(dir));
    }

    [TestMethod]
    public void ClassifierHeadAndAdapterExportAreWrittenTogether()
    {
        var fixture = ModelFilesFixture.Get();
        var classifier = fixture.LoadedShira;
        var generator = TrainedShakespeareModel.Get();
        CheckSavePath("classifier export",
            before: dir => generator.Context.Shira().Model.ExportAdapter(generator.Model, "default", dir),
            save: dir => fixture.Context.Shira().Model.ExportAdapter(classifier, classifier.Adapters[0], dir),
            load: dir => PeftShiraAdapterFile.Load(dir));
    }

    [TestMethod]
    public void ATrainingCheckpointThatCannotBeWrittenStopsTrainingAndKeepsThePreviousOne()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(24));
        string directory = TestPaths.NewTempDirectory();
        var options = new ShiraTextGenerationOptions
        {
            Epochs = 1,
            BatchSize = 8,
            MaxSequenceLength = 32,
            NumberOfThreads = 1,
            Seed = 2,
            CheckpointDirectory = directory,
            CheckpointEverySteps = 1,
        };
        using (ml.Shira().Train(data, options))
        {
        }
        byte[] complete = File.ReadAllBytes(Path.Combine(directory, "training-checkpoint.safetensors"));
        File.Delete(Path.Combine(directory, "training-checkpoint.safetensors"));

        int writes = 0;
        // The second checkpoint write fails after 1,000 bytes.
        using (AtomicFile.InjectFaults(stream => ++writes == 2 ? new FailingStream(stream, new Budget(1000)) : stream))
            Assert.ThrowsExactly<IOException>(() => ml.Shira().Train(data, options));
        using (var first = TrainingCheckpoint.Load(directory))
            Assert.AreEqual(1, first!.Position.Step, "The checkpoint of step 1 is intact.");
        CollectionAssert.AreEqual(new[] { "training-checkpoint.safetensors" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray());

        // Training goes on from it and writes the same last checkpoint as the uninterrupted run.
        using (ml.Shira().Train(data, options))
        {
        }
        CollectionAssert.AreEqual(complete, File.ReadAllBytes(Path.Combine(directory, "training-checkpoint.safetensors")));
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// Writes different files first (<paramref name="before"/>), then runs <paramref name="save"/> with the output
    /// failing after N bytes for N across the whole output (all files of one save together), and on flush: each time the
    /// save throws <see cref="IOException"/>, the folder holds exactly the earlier files, byte for byte, they still load,
    /// and no temporary file is left. Finally the save runs without faults and its files load.
    /// </summary>
    private static void CheckSavePath(string name, Action<string> before, Action<string> save, Action<string> load)
    {
        string directory = TestPaths.NewTempDirectory();
        string probe = TestPaths.NewTempDirectory();
        try
        {
            save(probe);
            long total = Snapshot(probe).Values.Sum(b => (long)b.Length);
            before(directory);
            var earlier = Snapshot(directory);
            var failPoints = new[] { 0L, 1, 8, 100, 4096, total - 100, total - 1 }.Concat(Enumerable.Range(1, 12).Select(i => total * i / 13)).Where(n => n >= 0 && n < total).Distinct().ToList();
            foreach (long failAfter in failPoints.Append(-1))
            {
                // One budget spans all files of one save; -1 fails on flush instead.
                var budget = new Budget(failAfter < 0 ? long.MaxValue : failAfter);
                var fault = new Func<Stream, Stream>(stream => new FailingStream(stream, budget, failOnFlush: failAfter < 0));
                using (AtomicFile.InjectFaults(fault))
                    Assert.ThrowsExactly<IOException>(() => save(directory), $"{name}: failing after {failAfter} bytes");
                var after = Snapshot(directory);
                CollectionAssert.AreEquivalent(earlier.Keys.ToArray(), after.Keys.ToArray(), $"{name}, failing after {failAfter} bytes: files (no temporary file left)");
                foreach (var (file, bytes) in earlier)
                    CollectionAssert.AreEqual(bytes, after[file], $"{name}, failing after {failAfter} bytes: '{file}' changed");
            }
            load(directory);
            save(directory);
            load(directory);
            CollectionAssert.IsSubsetOf(Snapshot(probe).Keys.ToArray(), Snapshot(directory).Keys.ToArray(), $"{name}: a save without faults writes its files");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            Directory.Delete(probe, recursive: true);
        }
    }

    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory.GetFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes);

    /// <summary>The bytes left before the injected "disk full", shared by the files of one save.</summary>
    private sealed class Budget(long bytes)
    {
        public long Left { get; set; } = bytes;
    }

    /// <summary>A write-only stream that fails like a full disk when <paramref name="budget"/> runs out, or on flush.</summary>
    private sealed class FailingStream(Stream inner, Budget budget, bool failOnFlush = false) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (buffer.Length > budget.Left)
            {
                int fits = (int)budget.Left;
                inner.Write(buffer[..fits]);
                _written += fits;
                budget.Left = 0;
                throw new IOException($"No space left on device (injected after {_written} bytes of this file).");
            }
            inner.Write(buffer);
            _written += buffer.Length;
            budget.Left -= buffer.Length;
        }

        public override void Flush()
        {
            if (failOnFlush)
                throw new IOException("The disk failed while flushing (injected).");
            inner.Flush();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
