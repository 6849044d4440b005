using Microsoft.ML.Shira.TextClassification.Inference;

namespace Microsoft.ML.Shira.TextClassification.Data;

/// <summary>Reads the text (or text pair) of the current row.</summary>
internal sealed class RowTexts
{
    private readonly ValueGetter<ReadOnlyMemory<char>> _first;
    private readonly ValueGetter<ReadOnlyMemory<char>>? _second;
    private ReadOnlyMemory<char> _value;

    public RowTexts(DataViewRow row, DataViewSchema.Column first, DataViewSchema.Column? second)
    {
        _first = row.GetGetter<ReadOnlyMemory<char>>(first);
        _second = second is { } s ? row.GetGetter<ReadOnlyMemory<char>>(s) : null;
    }

    public bool IsPair => _second is not null;

    /// <summary>The first text of the current row.</summary>
    public string First()
    {
        _first(ref _value);
        return _value.ToString();
    }

    /// <summary>The second text of the current row (only for pairs).</summary>
    public string Second()
    {
        _second!(ref _value);
        return _value.ToString();
    }
}
