using Microsoft.ML.Data;
using Microsoft.ML.Shira.TextClassification.Schema;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>
/// Getters of the output columns from the logits of the current row. Multiclass: Score = softmax(logits),
/// PredictedLabel = key of the arg-max (1-based). Binary: Score = z₁ − z₀ (the margin), Probability = σ(margin),
/// PredictedLabel = margin &gt; 0.
/// </summary>
internal static class OutputGetters
{
    /// <summary>Creates the getter of output column <paramref name="index"/>; <paramref name="logits"/> returns the current row's logits.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="TValue"/> is not the column's type.</exception>
    public static ValueGetter<TValue> Create<TValue>(ClassificationOutputColumns outputs, int index, Func<ArraySegment<float>> logits)
    {
        var column = outputs.Schema[index];
        Delegate getter;
        if (outputs.Head.IsBinary)
        {
            if (index == outputs.ScoreIndex)
                getter = (ValueGetter<float>)((ref float value) => value = Margin(logits()));
            else if (index == outputs.ProbabilityIndex)
                getter = (ValueGetter<float>)((ref float value) => value = Sigmoid(Margin(logits())));
            else
                getter = (ValueGetter<bool>)((ref bool value) => value = Margin(logits()) > 0);
        }
        else if (index == outputs.ScoreIndex)
        {
            getter = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => Softmax(logits(), ref value));
        }
        else
        {
            getter = (ValueGetter<uint>)((ref uint value) => value = (uint)ArgMax(logits()) + 1);
        }
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type} ({column.Type.RawType.Name}); it cannot be read as {typeof(TValue).Name}.");
    }

    private static float Margin(ArraySegment<float> z) => z[1] - z[0];

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private static int ArgMax(ArraySegment<float> z)
    {
        int best = 0;
        for (int i = 1; i < z.Count; i++)
        {
            if (z[i] > z[best])
                best = i;
        }
        return best;
    }

    private static void Softmax(ArraySegment<float> z, ref VBuffer<float> destination)
    {
        float max = z[ArgMax(z)];
        var editor = VBufferEditor.Create(ref destination, z.Count);
        float sum = 0;
        for (int i = 0; i < z.Count; i++)
        {
            editor.Values[i] = MathF.Exp(z[i] - max);
            sum += editor.Values[i];
        }
        for (int i = 0; i < z.Count; i++)
            editor.Values[i] /= sum;
        destination = editor.Commit();
    }
}
