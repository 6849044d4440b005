namespace Microsoft.ML.Shira.Tests.Reliability.Concurrency;

/// <summary>
/// Lets a writer thread wait, without sleeping for a guessed time, until every reader thread has finished at least one
/// whole operation that started after the writer's last change — so each state a writer sets is seen by every reader.
/// A reader that fails or a wait that lasts past the watchdog timeout ends the wait with a clear error instead of a hang.
/// </summary>
internal sealed class ReaderRounds(int readers, TimeSpan watchdog)
{
    private readonly long[] _finished = new long[readers];
    private volatile string? _failure;

    /// <summary>Number of readers.</summary>
    public int Readers => _finished.Length;

    /// <summary>Total operations the readers finished.</summary>
    public long Total => _finished.Sum(n => Interlocked.Read(ref n));

    /// <summary>Set when a reader failed; writers stop at their next wait.</summary>
    public string? Failure => _failure;

    /// <summary>Called by reader <paramref name="reader"/> after each operation.</summary>
    public void Finished(int reader) => Interlocked.Increment(ref _finished[reader]);

    /// <summary>Called by a reader that threw; every waiting writer stops.</summary>
    public void Fail(string message) => _failure ??= message;

    /// <summary>
    /// Blocks until every reader has finished two more operations than when called (so at least one of them started after
    /// the call). Throws <see cref="TimeoutException"/> when the watchdog runs out — a deadlock or a stuck reader.
    /// </summary>
    public void WaitForEveryReader()
    {
        var marks = _finished.Select((_, i) => Interlocked.Read(ref _finished[i])).ToArray();
        bool done = SpinWait.SpinUntil(
            () => _failure is not null || marks.Select((mark, i) => Interlocked.Read(ref _finished[i]) >= mark + 2).All(x => x),
            watchdog);
        if (_failure is not null)
            throw new InvalidOperationException("A reader failed: " + _failure);
        if (!done)
            throw new TimeoutException($"Watchdog: a reader finished no operation within {watchdog.TotalSeconds:F0} s (deadlock?); finished so far: [{string.Join(", ", _finished)}].");
    }
}
