using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.HuggingFace;

namespace Microsoft.ML.Shira.Models.Gpt2;

/// <summary>
/// Hyper-parameters of a GPT-2 model, named and defaulted as in Hugging Face's <c>GPT2Config</c> (<c>config.json</c>;
/// the defaults are those of the 124M <c>gpt2</c> model). Create it with <see cref="FromJson"/> or an object initializer,
/// then call <see cref="Validate"/>.
/// </summary>
internal sealed partial record Gpt2Config
{
    /// <summary>The Hugging Face <c>model_type</c> of this architecture.</summary>
    public const string ModelType = "gpt2";

    /// <summary><c>vocab_size</c>.</summary>
    public long VocabSize { get; init; } = 50257;

    /// <summary><c>n_positions</c>: number of learned positions (longest sequence).</summary>
    public long NPositions { get; init; } = 1024;

    /// <summary><c>n_embd</c>: hidden size.</summary>
    public long NEmbd { get; init; } = 768;

    /// <summary><c>n_layer</c>: number of blocks.</summary>
    public int NLayer { get; init; } = 12;

    /// <summary><c>n_head</c>: attention heads.</summary>
    public long NHead { get; init; } = 12;

    /// <summary><c>n_inner</c>: MLP width; null means 4 × <see cref="NEmbd"/>.</summary>
    public long? NInner { get; init; }

    /// <summary><c>activation_function</c>: <c>gelu_new</c> (GPT-2's tanh approximation), or one of <see cref="Gpt2Activation.Supported"/>.</summary>
    public string ActivationFunction { get; init; } = "gelu_new";

    /// <summary><c>resid_pdrop</c>: dropout after each residual branch (training mode only).</summary>
    public double ResidPdrop { get; init; } = 0.1;

    /// <summary><c>embd_pdrop</c>: dropout on the summed embeddings (training mode only).</summary>
    public double EmbdPdrop { get; init; } = 0.1;

    /// <summary><c>attn_pdrop</c>: dropout on attention probabilities (training mode only).</summary>
    public double AttnPdrop { get; init; } = 0.1;

    /// <summary><c>layer_norm_epsilon</c>.</summary>
    public double LayerNormEpsilon { get; init; } = 1e-5;

    /// <summary><c>initializer_range</c>: standard deviation of the random initialization.</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary><c>scale_attn_weights</c>: divide attention scores by √head_dim.</summary>
    public bool ScaleAttnWeights { get; init; } = true;

    /// <summary><c>scale_attn_by_inverse_layer_idx</c>: also divide the scores of layer i by i + 1.</summary>
    public bool ScaleAttnByInverseLayerIdx { get; init; }

    /// <summary><c>reorder_and_upcast_attn</c>: compute attention scores in float32 (this implementation always does).</summary>
    public bool ReorderAndUpcastAttn { get; init; }

    /// <summary><c>tie_word_embeddings</c>: <c>lm_head</c> reuses <c>transformer.wte.weight</c> (true for every released GPT-2).</summary>
    public bool TieWordEmbeddings { get; init; } = true;

    /// <summary><c>bos_token_id</c>.</summary>
    public long? BosTokenId { get; init; } = 50256;

    /// <summary><c>eos_token_id</c> (one or several ids).</summary>
    public IReadOnlyList<long> EosTokenIds { get; init; } = new long[] { 50256 };

    /// <summary><c>pad_token_id</c>.</summary>
    public long? PadTokenId { get; init; }

    /// <summary>Effective MLP width.</summary>
    public long InnerSize => NInner ?? 4 * NEmbd;

    /// <summary>Size of one attention head.</summary>
    public long HeadDim => NHead > 0 ? NEmbd / NHead : 0;

    /// <summary>The config.json this config was read from (kept so that an export preserves unknown keys).</summary>
    private JsonObject? SourceJson { get; init; }

    /// <summary>Checks that the sizes are positive and consistent.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the config key.</exception>
    public void Validate()
    {
        Require(VocabSize > 0, "vocab_size", VocabSize);
        Require(NPositions > 0, "n_positions", NPositions);
        Require(NEmbd > 0, "n_embd", NEmbd);
        Require(NLayer > 0, "n_layer", NLayer);
        Require(NHead > 0 && NEmbd % NHead == 0, "n_head", $"{NHead} (must divide n_embd = {NEmbd})");
        Require(InnerSize > 0, "n_inner", InnerSize);
        Require(LayerNormEpsilon > 0 && double.IsFinite(LayerNormEpsilon), "layer_norm_epsilon", LayerNormEpsilon);
        Require(ResidPdrop is >= 0 and < 1, "resid_pdrop", ResidPdrop);
        Require(EmbdPdrop is >= 0 and < 1, "embd_pdrop", EmbdPdrop);
        Require(AttnPdrop is >= 0 and < 1, "attn_pdrop", AttnPdrop);
        Require(Gpt2Activation.Supported.Contains(ActivationFunction), "activation_function",
            $"'{ActivationFunction}' (supported: {string.Join(", ", Gpt2Activation.Supported)})");
    }

    private static void Require(bool condition, string key, object value) => HuggingFaceConfigJson.Require(condition, "GPT-2", key, value);
}
