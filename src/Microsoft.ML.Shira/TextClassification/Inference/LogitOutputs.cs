using Microsoft.ML.Shira.Inference.DataViews;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>The classifier outputs of the current row, all read from its logits (see <see cref="OutputGetters"/>).</summary>
internal abstract class LogitOutputs : IRowOutputs
{
    private readonly bool[] _activeOutputs;

    protected LogitOutputs(ClassificationContext context, bool[] activeOutputs)
    {
        Context = context;
        _activeOutputs = activeOutputs;
    }

    protected ClassificationContext Context { get; }

    public bool IsActive(DataViewSchema.Column column) => _activeOutputs[column.Index - Context.Outputs.InputCount];

    public ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => OutputGetters.Create<TValue>(Context.Outputs, column.Index, CurrentLogits);

    public virtual void OnMoved()
    {
    }

    /// <summary>The logits of the current row, computed by one forward pass (one consistent adapter) for all its outputs.</summary>
    protected abstract ArraySegment<float> CurrentLogits();
}
