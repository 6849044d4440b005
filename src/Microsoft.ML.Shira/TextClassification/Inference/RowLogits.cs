using Microsoft.ML.Shira.TextClassification.Data;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>The logits of a single input row, scored (as a batch of one) once per input position.</summary>
internal sealed class RowLogits : LogitOutputs
{
    private readonly DataViewRow _input;
    private readonly RowTexts _texts;
    private float[]? _logits;
    private long _scoredPosition = -1;

    public RowLogits(DataViewRow input, ClassificationContext context, bool[] activeOutputs)
        : base(context, activeOutputs)
    {
        _input = input;
        _texts = context.TextsOf(input);
    }

    protected override ArraySegment<float> CurrentLogits()
    {
        long position = _input.Position;
        if (_logits is null || position != _scoredPosition)
        {
            string first = _texts.First();
            _logits = Context.Score([first], _texts.IsPair ? [_texts.Second()] : null);
            _scoredPosition = position;
        }
        return new ArraySegment<float>(_logits);
    }
}
