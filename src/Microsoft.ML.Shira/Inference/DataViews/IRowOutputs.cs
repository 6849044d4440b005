namespace Microsoft.ML.Shira.Inference.DataViews;

/// <summary>
/// The appended output columns of the current input row, as one row or cursor computes them. A row or cursor with no
/// output column active has none. Outputs that hold resources (e.g. a look-ahead cursor) are <see cref="IDisposable"/>
/// and are disposed with their row or cursor.
/// </summary>
internal interface IRowOutputs
{
    /// <summary>True when output column <paramref name="column"/> was requested.</summary>
    bool IsActive(DataViewSchema.Column column);

    /// <summary>The getter of an active output column.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="TValue"/> is not the column's type.</exception>
    ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column);

    /// <summary>Called each time the cursor serving these outputs has moved to its next input row (outputs computed ahead follow it).</summary>
    void OnMoved();
}
