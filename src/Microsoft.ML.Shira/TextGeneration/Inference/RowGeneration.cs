using Microsoft.ML.Data;
using Microsoft.ML.Shira.Inference.DataViews;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>
/// The generated text of the current row of an input row or cursor, computed once per position, so repeated reads of
/// a row return the same text (even when sampling without a seed) from one generation with one adapter selection.
/// </summary>
internal sealed class RowGeneration : IRowOutputs
{
    private readonly DataViewRow _input;
    private readonly GenerationContext _context;
    private readonly ValueGetter<ReadOnlyMemory<char>> _prompt;
    private ReadOnlyMemory<char> _promptValue;
    private string? _text;
    private long _position = -1;

    public RowGeneration(DataViewRow input, GenerationContext context)
    {
        _input = input;
        _context = context;
        _prompt = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[context.Prompt.Index]);
    }

    /// <summary>Always true: a row or cursor has this object only when its one output column is active.</summary>
    public bool IsActive(DataViewSchema.Column column) => true;

    /// <summary>A getter of the output column; <typeparamref name="TValue"/> must be <see cref="ReadOnlyMemory{T}"/> of char.</summary>
    /// <exception cref="InvalidOperationException">Another value type was asked for.</exception>
    public ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) => value = Current().AsMemory();
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type} (ReadOnlyMemory<char>); it cannot be read as {typeof(TValue).Name}.");
    }

    /// <summary>Nothing to do: a row's text is generated when it is first read.</summary>
    public void OnMoved()
    {
    }

    private string Current()
    {
        long position = _input.Position;
        if (position < 0)
            throw new InvalidOperationException("The cursor is not on a row; call MoveNext first.");
        if (_text is null || position != _position)
        {
            _prompt(ref _promptValue);
            _text = _context.Generate(_promptValue.ToString());
            _position = position;
        }
        return _text;
    }
}
