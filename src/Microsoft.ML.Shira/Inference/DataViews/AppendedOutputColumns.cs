namespace Microsoft.ML.Shira.Inference.DataViews;

/// <summary>The output schema of a transformer that passes every input column through and appends its outputs after them.</summary>
/// <param name="schema">Input columns followed by the output columns.</param>
/// <param name="inputCount">Number of input columns.</param>
internal abstract class AppendedOutputColumns(DataViewSchema schema, int inputCount)
{
    /// <summary>Input columns followed by the output columns.</summary>
    public DataViewSchema Schema { get; } = schema;

    /// <summary>Number of input columns; output columns start at this index.</summary>
    public int InputCount { get; } = inputCount;

    /// <summary>True for an output column index.</summary>
    public bool IsOutput(int index) => index >= InputCount;
}
