using TorchSharp.Modules;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Gpt2;

/// <summary>
/// The GPT-2 decoder stack (Hugging Face <c>GPT2Model</c>): token embedding <c>wte</c>, learned position embedding
/// <c>wpe</c>, blocks <c>h</c>, final <c>ln_f</c>. Returns the final hidden states.
/// </summary>
internal sealed class Gpt2Model : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private readonly EmbeddingTable wte;
    private readonly EmbeddingTable wpe;
    private readonly ModuleList<Gpt2Block> h;
    private readonly LayerNorm ln_f;
#pragma warning restore IDE1006

    /// <summary>Creates the stack with random weights (see <see cref="Gpt2Config.InitializerRange"/>).</summary>
    public Gpt2Model(Gpt2Config config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Gpt2Model))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        wte = new EmbeddingTable(config.VocabSize, config.NEmbd, dtype, device);
        wpe = new EmbeddingTable(config.NPositions, config.NEmbd, dtype, device);
        ParameterInit.Normal(wte.Weight, config.InitializerRange);
        ParameterInit.Normal(wpe.Weight, config.InitializerRange);
        h = new ModuleList<Gpt2Block>(Enumerable.Range(0, config.NLayer).Select(i => new Gpt2Block(config, i, dtype, device)).ToArray());
        ln_f = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>The configuration.</summary>
    public Gpt2Config Config { get; }

    /// <summary><c>wte</c>: token embedding <c>[vocab_size, n_embd]</c>.</summary>
    public EmbeddingTable Wte => wte;

    /// <summary><c>wpe</c>: position embedding <c>[n_positions, n_embd]</c>.</summary>
    public EmbeddingTable Wpe => wpe;

    /// <summary><c>h</c>: the blocks.</summary>
    public IReadOnlyList<Gpt2Block> H => h.ToList();

    /// <summary><c>ln_f</c>.</summary>
    public LayerNorm LnF => ln_f;

    /// <summary>Hidden states of token ids <c>[batch, sequence]</c>, without padding or cache.</summary>
    public override Tensor forward(Tensor inputIds) => Forward(inputIds, null, null);

    /// <summary>Final hidden states <c>[batch, sequence, n_embd]</c>.</summary>
    /// <param name="inputIds">Token ids <c>[batch, sequence]</c> (int64 or int32); with a non-empty cache, only the new tokens.</param>
    /// <param name="attentionMask">Optional <c>[batch, past + sequence]</c> mask (1 real, 0 padding). Positions are counted over real tokens only, as in Hugging Face generation.</param>
    /// <param name="cache">Optional cache, extended by the new tokens.</param>
    /// <exception cref="ArgumentException">Bad shapes, or more positions than <see cref="Gpt2Config.NPositions"/>.</exception>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, Gpt2KVCache? cache)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2)
            throw new ArgumentException($"input ids must be [batch, sequence]; got shape [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        if (cache is not null && cache.LayerCount != Config.NLayer)
            throw new ArgumentException($"The cache has {cache.LayerCount} layers; the model has {Config.NLayer}.", nameof(cache));
        long batch = inputIds.shape[0], length = inputIds.shape[1];
        long past = cache?.Length ?? 0;
        if (length == 0)
            throw new ArgumentException("input ids must hold at least one position.", nameof(inputIds));
        if (past + length > Config.NPositions)
            throw new ArgumentException($"{past} cached + {length} new positions exceed n_positions = {Config.NPositions}, the number of learned positions.", nameof(inputIds));
        if (attentionMask is not null && (attentionMask.dim() != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != past + length))
            throw new ArgumentException($"attention mask must be [{batch}, {past + length}] (batch, cached + new positions); got [{string.Join(", ", attentionMask.shape)}].", nameof(attentionMask));

        using var scope = NewDisposeScope();
        var ids = inputIds.dtype == ScalarType.Int64 ? inputIds : inputIds.to(ScalarType.Int64);
        var positions = CausalPositions.PositionIds(attentionMask, batch, past, length, ids.device);
        var hidden = wte.call(ids).Plus(wpe.call(positions));
        if (Config.EmbdPdrop > 0 && training)
            hidden = nn.functional.dropout(hidden, Config.EmbdPdrop, training: true);
        var attention = CausalAttention.For(attentionMask, past, length, hidden.dtype, ids.device);
        foreach (var block in h)
            hidden = block.Forward(hidden, attention, cache);
        return ln_f.call(hidden).MoveToOuterDisposeScope();
    }
}
