using TorchSharp.Modules;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// Hugging Face's <c>BertEmbeddings</c>: word + absolute position + token type embeddings, then LayerNorm and dropout.
/// Submodules: <c>word_embeddings</c>, <c>position_embeddings</c>, <c>token_type_embeddings</c>, <c>LayerNorm</c>.
/// Position ids are <c>0..T-1</c>, computed on the fly (no <c>position_ids</c> buffer); for RoBERTa they count real
/// tokens from <c>pad_token_id + 1</c> and padding gets <c>pad_token_id</c>.
/// </summary>
internal sealed class BertEmbeddings : nn.Module<Tensor, Tensor?, Tensor>
{
    // Field names are the Hugging Face submodule names (RegisterComponents uses them).
#pragma warning disable IDE1006 // Naming styles
    private readonly EmbeddingTable word_embeddings;
    private readonly EmbeddingTable position_embeddings;
    private readonly EmbeddingTable token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    /// <summary>Creates randomly initialized embeddings for <paramref name="config"/>.</summary>
    public BertEmbeddings(BertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(BertEmbeddings))
    {
        ArgumentNullException.ThrowIfNull(config);
        word_embeddings = new EmbeddingTable(config.VocabSize, config.HiddenSize, dtype, device, config.PadTokenId);
        position_embeddings = new EmbeddingTable(config.MaxPositionEmbeddings, config.HiddenSize, dtype, device);
        token_type_embeddings = new EmbeddingTable(config.TypeVocabSize, config.HiddenSize, dtype, device);
        LayerNorm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps, device: device, dtype: dtype);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        MaxPositions = config.MaxPositionEmbeddings;
        _paddingOffset = config.PositionsAfterPadding ? config.PadTokenId : null;
        RegisterComponents();
    }

    private readonly int? _paddingOffset;

    /// <summary>Longest sequence the position table covers.</summary>
    public int MaxPositions { get; }

    /// <summary>Embeds <c>[B, T]</c> token ids (int64) into <c>[B, T, hidden]</c>.</summary>
    /// <param name="inputIds">Token ids, <c>[B, T]</c>.</param>
    /// <param name="tokenTypeIds">Segment ids, <c>[B, T]</c>; all zeros when null.</param>
    public override Tensor forward(Tensor inputIds, Tensor? tokenTypeIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2)
            throw new ArgumentException($"input_ids must be [batch, sequence]; got shape [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        long length = inputIds.shape[1];
        long usable = MaxPositions - (_paddingOffset is int p ? p + 1 : 0);
        if (length > usable)
            throw new ArgumentException($"Sequence length {length} exceeds the {usable} positions of max_position_embeddings ({MaxPositions}).", nameof(inputIds));

        using var scope = NewDisposeScope();
        var positions = _paddingOffset is int pad
            ? PositionsAfterPadding(inputIds, pad)
            : TorchScalars.Range(0, length, inputIds.device).unsqueeze(0);
        var types = tokenTypeIds ?? zeros_like(inputIds);
        var sum = word_embeddings.call(inputIds).Plus(token_type_embeddings.call(types)).Plus(position_embeddings.call(positions));
        return dropout.call(LayerNorm.call(sum)).MoveToOuterDisposeScope();
    }

    /// <summary>RoBERTa's position ids: <c>cumsum(ids ≠ pad) · (ids ≠ pad) + pad</c>.</summary>
    private static Tensor PositionsAfterPadding(Tensor inputIds, int pad)
    {
        var real = TorchScalars.With(pad, p => inputIds.ne(p)).to(ScalarType.Int64);
        return (real.cumsum(1) * real).Plus((long)pad);
    }
}
