namespace Microsoft.ML.Shira.Tests.Reliability.Fuzzing;

/// <summary>One file of a fuzz target: its name, the real file the mutations start from, and whether it is text (JSON).</summary>
internal sealed record FuzzFile(string Name, byte[] Seed, bool IsText);

/// <summary>
/// A reader under test: the files it reads (one of them mutated per input, the others kept as they are), how it reads
/// them, and the exception types its documentation allows.
/// </summary>
/// <param name="Name">Name in reports.</param>
/// <param name="Files">The seed files.</param>
/// <param name="Read">Reads one set of files (disposing what it builds).</param>
/// <param name="Allowed">Exception types that may escape (bad file contents must be <see cref="ShiraFormatException"/>).</param>
/// <param name="BytesPerInputByte">Managed bytes the reader may allocate per input byte, or null not to check.</param>
/// <param name="FixedAllowance">Managed bytes a read may allocate whatever its input (e.g. a built-in base model the file refers to).</param>
internal sealed record FuzzTarget(
    string Name, IReadOnlyList<FuzzFile> Files, Action<IReadOnlyList<byte[]>> Read, Type[] Allowed, double? BytesPerInputByte = 16, long FixedAllowance = 1 << 20);

/// <summary>What a fuzz run saw: how inputs ended, the worst allocation ratio, and the inputs that broke a promise.</summary>
internal sealed class FuzzReport(string target)
{
    public string Target { get; } = target;

    public int Inputs { get; set; }

    /// <summary>Inputs by outcome: <c>ok</c> or the exception type's name.</summary>
    public SortedDictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);

    /// <summary>Largest managed allocation of one read per input byte, over inputs of at least 4 KiB (smaller ones are dominated by fixed costs).</summary>
    public double MaxBytesPerInputByte { get; set; }

    /// <summary>Broken promises: an exception type that is not allowed, or an allocation over the bound.</summary>
    public List<(int Number, string File, string Problem, byte[] Input)> Failures { get; } = new();

    public override string ToString() =>
        $"{Target}: {Inputs} inputs; {string.Join(", ", Outcomes.Select(o => $"{o.Key} {o.Value}"))}; max {MaxBytesPerInputByte:F1} allocated bytes per input byte; {Failures.Count} failure(s)" +
        string.Concat(Failures.Take(5).Select(f => $"\n  #{f.Number} ({f.File}): {f.Problem}"));
}

/// <summary>Feeds deterministic mutations of a target's seed files to its reader and checks what escapes.</summary>
internal static class FuzzRunner
{
    public static FuzzReport Run(FuzzTarget target, int inputs, int runSeed)
    {
        var report = new FuzzReport(target.Name);
        var files = target.Files.Select(f => f.Seed).ToArray();
        for (int number = 0; number < inputs; number++)
        {
            int which = number % target.Files.Count;
            var file = target.Files[which];
            var mutated = Mutator.Mutate(file.Seed, runSeed, number, file.IsText);
            var set = (byte[][])files.Clone();
            set[which] = mutated;
            long inputBytes = set.Sum(f => (long)f.Length);
            long before = GC.GetAllocatedBytesForCurrentThread();
            string outcome;
            try
            {
                target.Read(set);
                outcome = "ok";
            }
            catch (Exception ex)
            {
                outcome = ex.GetType().Name;
                if (!target.Allowed.Any(t => t.IsInstanceOfType(ex)))
                    report.Failures.Add((number, file.Name, $"{ex.GetType().FullName}: {ex.Message}", mutated));
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (inputBytes >= 4096)
                report.MaxBytesPerInputByte = Math.Max(report.MaxBytesPerInputByte, (double)allocated / inputBytes);
            if (target.BytesPerInputByte is { } bound && allocated > bound * inputBytes + target.FixedAllowance)
                report.Failures.Add((number, file.Name, $"allocated {allocated:N0} bytes for {inputBytes:N0} input bytes", mutated));
            report.Outcomes[outcome] = report.Outcomes.GetValueOrDefault(outcome) + 1;
            report.Inputs++;
        }
        return report;
    }
}
