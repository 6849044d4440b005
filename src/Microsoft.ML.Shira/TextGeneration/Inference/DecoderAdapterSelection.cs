using Microsoft.ML.Shira.Inference.Selections;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>What a text generator runs: the adapters fused into the decoder's weights with their α; none means the base model.</summary>
internal sealed class DecoderAdapterSelection : FusedAdapterSelection
{
    public DecoderAdapterSelection(IReadOnlyList<(string Name, double Alpha)> body)
        : base(body)
    {
    }

    /// <summary>The base model without any adapter.</summary>
    public static DecoderAdapterSelection BaseModel { get; } = new([]);

    /// <summary>A single adapter with α = 1.</summary>
    public static DecoderAdapterSelection Single(string name) => new([(name, 1.0)]);

    /// <inheritdoc />
    public override string ToString() => Body.Count == 0 ? "the base model (no adapter)" : DescribeBody();
}
