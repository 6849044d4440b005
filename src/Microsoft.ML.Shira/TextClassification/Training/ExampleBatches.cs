using Microsoft.ML.Shira.Text;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>A tokenized batch on the CPU; <see cref="ToTensors"/> makes its tensors inside the caller's dispose scope.</summary>
internal sealed record ExampleBatch(TokenizedBatch Tokens, long[] Labels)
{
    public int Count => Labels.Length;

    public (BertInputs Inputs, Tensor Labels) ToTensors(Device device) => (Tokens.ToTensors(device), tensor(Labels, device: device));
}

/// <summary>Splits examples into tokenized batches, in order or in a seeded shuffled order.</summary>
internal sealed class ExampleBatches
{
    private readonly IReadOnlyList<Example> _examples;
    private readonly int _batchSize;
    private readonly BertTextTokenizer _tokenizer;

    public ExampleBatches(IReadOnlyList<Example> examples, int batchSize, BertTextTokenizer tokenizer)
    {
        _examples = examples;
        _batchSize = batchSize;
        _tokenizer = tokenizer;
    }

    /// <summary>Rows in all batches.</summary>
    public int Rows => _examples.Count;

    /// <summary>Batches per pass.</summary>
    public int Count => (_examples.Count + _batchSize - 1) / _batchSize;

    /// <summary>A random order of the rows (Fisher–Yates with <paramref name="random"/>).</summary>
    public int[] Shuffle(Random random)
    {
        var order = Enumerable.Range(0, _examples.Count).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>The batches of one pass in the given row order (in file order when null).</summary>
    public IEnumerable<ExampleBatch> Pass(int[]? order = null)
    {
        for (int start = 0; start < _examples.Count; start += _batchSize)
        {
            int end = Math.Min(start + _batchSize, _examples.Count);
            var rows = Enumerable.Range(start, end - start).Select(i => _examples[order?[i] ?? i]).ToList();
            yield return Make(rows);
        }
    }

    private ExampleBatch Make(List<Example> rows)
    {
        var tokens = rows[0].Second is null
            ? _tokenizer.Encode(rows.Select(r => r.First).ToList())
            : _tokenizer.EncodePairs(rows.Select(r => (r.First, r.Second!)).ToList());
        return new ExampleBatch(tokens, rows.Select(r => (long)r.Label).ToArray());
    }
}
