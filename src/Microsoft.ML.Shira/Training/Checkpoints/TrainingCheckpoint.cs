using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Safetensors;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training.Checkpoints;

/// <summary>
/// Everything a training run needs to continue exactly where it stopped: the trained values, AdamW's state, torch's
/// random-number state (dropout), the position in the data (epoch, batch; the epoch orders are replayed from the seed),
/// the running loss of the epoch and the best validated epoch so far. One safetensors file (<see cref="FileName"/>):
/// tensors <c>param.i</c>, <c>best.i</c>, <c>optimizer</c> (TorchSharp's AdamW state, as bytes) and <c>rng</c>; the
/// counters and the run's signature in its metadata. Written atomically, so an interruption leaves the previous one.
/// </summary>
internal sealed class TrainingCheckpoint : IDisposable
{
    /// <summary>The file name inside the checkpoint directory.</summary>
    public const string FileName = "training-checkpoint.safetensors";

    private const string StateKey = "shira.training_state";

    /// <summary>The counters and identity of the run.</summary>
    public required TrainingPosition Position { get; init; }

    /// <summary>Values of the trained parameters, in the loop's order.</summary>
    public required IReadOnlyList<Tensor> Parameters { get; init; }

    /// <summary>Values of the trained parameters at the best epoch (empty when no epoch was kept).</summary>
    public required IReadOnlyList<Tensor> Best { get; init; }

    /// <summary>The optimizer's state as written by TorchSharp's <c>save_state_dict</c>.</summary>
    public required byte[] Optimizer { get; init; }

    /// <summary>torch's CPU random-number state.</summary>
    public required Tensor RandomState { get; init; }

    /// <summary>Writes the checkpoint to <paramref name="directory"/> atomically.</summary>
    public void Save(string directory)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        using var scope = NewDisposeScope();
        for (int i = 0; i < Parameters.Count; i++)
            tensors.Add(new($"param.{i}", Parameters[i].detach().cpu()));
        for (int i = 0; i < Best.Count; i++)
            tensors.Add(new($"best.{i}", Best[i].detach().cpu()));
        tensors.Add(new("optimizer", tensor(Optimizer, dtype: ScalarType.Byte)));
        tensors.Add(new("rng", RandomState.cpu()));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [StateKey] = JsonSerializer.Serialize(Position, PositionJson),
            ["shira.library_version"] = ShiraInfo.Version,
        };
        AtomicFile.WriteAllBytes(Path.Combine(directory, FileName), SafetensorsWriter.ToBytes(tensors, metadata));
    }

    /// <summary>Reads the checkpoint of <paramref name="directory"/>, or null when there is none. The caller disposes its tensors.</summary>
    /// <exception cref="ShiraFormatException">The file is corrupt.</exception>
    public static TrainingCheckpoint? Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            return null;
        using var file = SafetensorsFile.Open(path);
        if (!file.Metadata.TryGetValue(StateKey, out var json))
            throw new ShiraFormatException($"Training checkpoint '{path}' has no '{StateKey}' metadata.");
        var position = JsonText.Deserialize<TrainingPosition>(json, $"Training checkpoint '{path}': metadata '{StateKey}'")
            ?? throw new ShiraFormatException($"Training checkpoint '{path}': metadata '{StateKey}' is null.");
        List<Tensor> Read(string prefix) =>
            Enumerable.Range(0, int.MaxValue).Select(i => $"{prefix}.{i}").TakeWhile(file.Contains).Select(file.GetTensor).ToList();
        return new TrainingCheckpoint
        {
            Position = position,
            Parameters = Read("param"),
            Best = Read("best"),
            Optimizer = file.ReadBytes("optimizer"),
            RandomState = file.GetTensor("rng"),
        };
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        foreach (var t in Parameters.Concat(Best))
            t.Dispose();
        RandomState.Dispose();
    }

    private static readonly JsonSerializerOptions PositionJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The optimizer state of <paramref name="optimizer"/> as bytes.</summary>
    public static byte[] SaveOptimizer(OptimizerHelper optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        return stream.ToArray();
    }

    /// <summary>Restores the optimizer state saved by <see cref="SaveOptimizer"/>.</summary>
    public static void LoadOptimizer(OptimizerHelper optimizer, byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state, writable: false));
        optimizer.load_state_dict(reader);
    }

    /// <summary>A short description for logs.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"epoch {Position.Epoch}, batch {Position.BatchesDone} of the epoch, step {Position.Step}");
}

/// <summary>Where a run is, and which run it is.</summary>
/// <param name="Signature">Identifies the run: task, base model, method, mask, budget, seed, batch size, epochs, data size and parameter shapes.</param>
/// <param name="Epoch">1-based epoch in progress.</param>
/// <param name="BatchesDone">Batches of that epoch already trained.</param>
/// <param name="Step">Steps done in the whole run.</param>
/// <param name="LossSum">Running weighted loss of the epoch.</param>
/// <param name="WeightSum">Running weight of the epoch.</param>
/// <param name="Work">Rows (or tokens) trained so far.</param>
/// <param name="LastValidation">The latest epoch's validation value, or null.</param>
/// <param name="BestEpoch">The kept epoch (0 for none).</param>
/// <param name="BestScore">The kept epoch's score components (see <see cref="IValidationScore.Components"/>), or null.</param>
/// <param name="StaleEpochs">Epochs since the kept one.</param>
internal sealed record TrainingPosition(
    string Signature, int Epoch, int BatchesDone, int Step, double LossSum, long WeightSum, long Work,
    double? LastValidation, int BestEpoch, double[]? BestScore, int StaleEpochs);
