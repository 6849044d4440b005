using Microsoft.ML.Shira.Text;
using Microsoft.ML.Shira.TextClassification.Training;

namespace Microsoft.ML.Shira.TextClassification.Data;

/// <summary>A tokenized batch on the CPU; <see cref="ToTensors"/> makes its tensors inside the caller's dispose scope.</summary>
internal sealed record ExampleBatch(TokenizedBatch Tokens, long[] Labels)
{
    public int Count => Labels.Length;

    public (BertInputs Inputs, Tensor Labels) ToTensors(Device device) => (Tokens.ToTensors(device), tensor(Labels, device: device));

    /// <summary>Tokenizes <paramref name="rows"/> (all single texts or all pairs) into one batch.</summary>
    public static ExampleBatch Create(IReadOnlyList<Example> rows, IEncoderTokenizer tokenizer)
    {
        var tokens = rows[0].Second is null
            ? tokenizer.Encode(rows.Select(r => r.First).ToList())
            : tokenizer.EncodePairs(rows.Select(r => (r.First, r.Second!)).ToList());
        return new ExampleBatch(tokens, rows.Select(r => (long)r.Label).ToArray());
    }
}
