namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>A synchronous <see cref="IProgress{T}"/> (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
internal sealed class TestProgress<T> : IProgress<T>
{
    private readonly Action<T>? _onReport;
    private readonly List<T> _items = new();

    public TestProgress(Action<T>? onReport = null) => _onReport = onReport;

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_items)
                return _items.ToList();
        }
    }

    public void Report(T value)
    {
        lock (_items)
            _items.Add(value);
        _onReport?.Invoke(value);
    }
}
