namespace Microsoft.ML.Shira.Inference;

/// <summary>The reader/writer lock of the engine and its disposed state.</summary>
internal abstract partial class AdapterEngine
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly string _ownerName;
    private readonly string _disposedMessage;
    private bool _disposed;

    /// <summary>Runs <paramref name="action"/> under the read lock (the weights do not change meanwhile).</summary>
    protected T Read<T>(Func<T> action) => Locked(_lock.EnterReadLock, _lock.ExitReadLock, action);

    /// <summary>Runs <paramref name="action"/> under the write lock (no other work runs meanwhile).</summary>
    protected T Write<T>(Func<T> action) => Locked(_lock.EnterWriteLock, _lock.ExitWriteLock, action);

    /// <inheritdoc cref="Write{T}"/>
    protected void Write(Action action) => Write(() =>
    {
        action();
        return true;
    });

    /// <summary>Throws once the engine is disposed (with its last transformer).</summary>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    protected void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(_ownerName, _disposedMessage);
    }

    private T Locked<T>(Action enter, Action exit, Func<T> action)
    {
        enter();
        try
        {
            ThrowIfDisposed();
            return action();
        }
        finally
        {
            exit();
        }
    }
}
