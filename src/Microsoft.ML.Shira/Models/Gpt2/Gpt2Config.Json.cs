using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.HuggingFace;

namespace Microsoft.ML.Shira.Models.Gpt2;

internal sealed partial record Gpt2Config
{
    /// <summary>Parses a Hugging Face <c>config.json</c> text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ShiraFormatException">Invalid JSON, wrong <c>model_type</c>, or missing/invalid values.</exception>
    public static Gpt2Config FromJson(string json, string source = "config.json") =>
        FromHuggingFace(HuggingFaceConfig.Parse(json, source));

    /// <summary>
    /// Reads the GPT-2 keys of a parsed config. The generic aliases Hugging Face maps onto them (<c>hidden_size</c>,
    /// <c>num_hidden_layers</c>, <c>num_attention_heads</c>, <c>max_position_embeddings</c>) are read when the GPT-2 key is absent.
    /// </summary>
    /// <exception cref="ShiraFormatException">Wrong <c>model_type</c>, cross-attention, or missing/invalid values.</exception>
    public static Gpt2Config FromHuggingFace(HuggingFaceConfig config)
    {
        HuggingFaceConfigJson.RequireModelType(config, ModelType);
        if (config.GetBoolean("add_cross_attention", false))
            throw config.Invalid("add_cross_attention", "is true; GPT-2 with cross-attention (encoder-decoder use) is not supported.");

        var defaults = new Gpt2Config();
        long Size(string key, string alias, long fallback) =>
            config.Has(key) ? config.GetInt64(key) : config.GetInt64(alias, fallback);
        var result = new Gpt2Config
        {
            VocabSize = config.GetInt64("vocab_size", defaults.VocabSize),
            NPositions = Size("n_positions", "max_position_embeddings", defaults.NPositions),
            NEmbd = Size("n_embd", "hidden_size", defaults.NEmbd),
            NLayer = checked((int)Size("n_layer", "num_hidden_layers", defaults.NLayer)),
            NHead = Size("n_head", "num_attention_heads", defaults.NHead),
            NInner = config.GetOptionalInt64("n_inner"),
            ActivationFunction = config.GetString("activation_function") ?? defaults.ActivationFunction,
            ResidPdrop = config.GetDouble("resid_pdrop", defaults.ResidPdrop),
            EmbdPdrop = config.GetDouble("embd_pdrop", defaults.EmbdPdrop),
            AttnPdrop = config.GetDouble("attn_pdrop", defaults.AttnPdrop),
            LayerNormEpsilon = config.GetDouble("layer_norm_epsilon", defaults.LayerNormEpsilon),
            InitializerRange = config.GetDouble("initializer_range", defaults.InitializerRange),
            ScaleAttnWeights = config.GetBoolean("scale_attn_weights", true),
            ScaleAttnByInverseLayerIdx = config.GetBoolean("scale_attn_by_inverse_layer_idx", false),
            ReorderAndUpcastAttn = config.GetBoolean("reorder_and_upcast_attn", false),
            TieWordEmbeddings = config.GetBoolean("tie_word_embeddings", true),
            BosTokenId = config.GetOptionalInt64("bos_token_id"),
            EosTokenIds = config.GetInt64List("eos_token_id"),
            PadTokenId = config.GetOptionalInt64("pad_token_id"),
            SourceJson = (JsonObject)config.Json.DeepClone(),
        };
        HuggingFaceConfigJson.Validate(config, result.Validate);
        return result;
    }

    /// <summary>
    /// Writes the config as Hugging Face <c>config.json</c> text (sorted keys). Keys this class does not model are
    /// kept from the file it was read from; <c>torch_dtype</c> is set to <paramref name="dtype"/>.
    /// </summary>
    public string ToJson(ScalarType dtype = ScalarType.Float32)
    {
        var json = HuggingFaceConfigJson.Start(SourceJson, "GPT2LMHeadModel", ModelType);
        json["vocab_size"] = VocabSize;
        json["n_positions"] = NPositions;
        json["n_embd"] = NEmbd;
        json["n_layer"] = NLayer;
        json["n_head"] = NHead;
        json["n_inner"] = NInner;
        json["activation_function"] = ActivationFunction;
        json["resid_pdrop"] = ResidPdrop;
        json["embd_pdrop"] = EmbdPdrop;
        json["attn_pdrop"] = AttnPdrop;
        json["layer_norm_epsilon"] = LayerNormEpsilon;
        json["initializer_range"] = InitializerRange;
        json["scale_attn_weights"] = ScaleAttnWeights;
        json["scale_attn_by_inverse_layer_idx"] = ScaleAttnByInverseLayerIdx;
        json["reorder_and_upcast_attn"] = ReorderAndUpcastAttn;
        json["tie_word_embeddings"] = TieWordEmbeddings;
        HuggingFaceConfigJson.SetUnlessAbsentNull(json, "bos_token_id", BosTokenId);
        if (EosTokenIds.Count > 0 || json.ContainsKey("eos_token_id"))
            json["eos_token_id"] = HuggingFaceConfigJson.TokenIds(EosTokenIds);
        HuggingFaceConfigJson.SetUnlessAbsentNull(json, "pad_token_id", PadTokenId);
        return HuggingFaceConfigJson.ToText(json, dtype);
    }
}
