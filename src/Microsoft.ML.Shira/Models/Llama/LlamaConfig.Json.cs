using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.HuggingFace;

namespace Microsoft.ML.Shira.Models.Llama;

internal sealed partial record LlamaConfig
{
    /// <summary>Parses a Hugging Face <c>config.json</c> text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ShiraFormatException">Invalid JSON, wrong <c>model_type</c>, or missing/invalid values.</exception>
    public static LlamaConfig FromJson(string json, string source = "config.json") =>
        FromHuggingFace(HuggingFaceConfig.Parse(json, source));

    /// <summary>Reads the LLaMA keys of a parsed config.</summary>
    /// <exception cref="ShiraFormatException">Wrong <c>model_type</c>, or missing/invalid values.</exception>
    public static LlamaConfig FromHuggingFace(HuggingFaceConfig config)
    {
        if (!Family.ContainsKey(config.ModelType))
            throw config.Invalid("model_type", $"is '{config.ModelType}', not one of the LLaMA layout ({string.Join(", ", Family.Keys)}).");
        RequireNoSlidingWindow(config);

        var defaults = new LlamaConfig();
        long heads = config.GetInt64("num_attention_heads", defaults.NumAttentionHeads);
        var parameters = config.GetObject("rope_parameters");
        var result = new LlamaConfig
        {
            Type = config.ModelType,
            VocabSize = config.GetInt64("vocab_size", defaults.VocabSize),
            HiddenSize = config.GetInt64("hidden_size", defaults.HiddenSize),
            IntermediateSize = config.GetInt64("intermediate_size", defaults.IntermediateSize),
            NumHiddenLayers = checked((int)config.GetInt64("num_hidden_layers", defaults.NumHiddenLayers)),
            NumAttentionHeads = heads,
            NumKeyValueHeads = config.GetOptionalInt64("num_key_value_heads"),
            HeadDim = config.GetOptionalInt64("head_dim"),
            MaxPositionEmbeddings = config.GetInt64("max_position_embeddings", defaults.MaxPositionEmbeddings),
            RmsNormEps = config.GetDouble("rms_norm_eps", defaults.RmsNormEps),
            RopeTheta = ReadRopeTheta(config, parameters, defaults.RopeTheta),
            RopeScaling = ReadRopeScaling(config, parameters),
            // Gemma configs written before transformers 4.40 name it hidden_activation.
            HiddenAct = config.GetString("hidden_act") ?? config.GetString("hidden_activation") ?? defaults.HiddenAct,
            AttentionBias = config.GetBoolean("attention_bias", false),
            AttentionDropout = config.GetDouble("attention_dropout", 0.0),
            MlpBias = config.GetBoolean("mlp_bias", false),
            TieWordEmbeddings = config.GetBoolean("tie_word_embeddings", false),
            InitializerRange = config.GetDouble("initializer_range", defaults.InitializerRange),
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
        var json = HuggingFaceConfigJson.Start(SourceJson, Family[Type], Type);
        json["vocab_size"] = VocabSize;
        json["hidden_size"] = HiddenSize;
        json["intermediate_size"] = IntermediateSize;
        json["num_hidden_layers"] = NumHiddenLayers;
        json["num_attention_heads"] = NumAttentionHeads;
        json["num_key_value_heads"] = KeyValueHeads;
        json["head_dim"] = EffectiveHeadDim;
        json["max_position_embeddings"] = MaxPositionEmbeddings;
        json["rms_norm_eps"] = RmsNormEps;
        json["hidden_act"] = HiddenAct;
        json["attention_bias"] = AttentionBias;
        json["attention_dropout"] = AttentionDropout;
        json["mlp_bias"] = MlpBias;
        json["tie_word_embeddings"] = TieWordEmbeddings;
        json["initializer_range"] = InitializerRange;
        HuggingFaceConfigJson.SetUnlessAbsentNull(json, "bos_token_id", BosTokenId);
        json["eos_token_id"] = HuggingFaceConfigJson.TokenIds(EosTokenIds);
        HuggingFaceConfigJson.SetUnlessAbsentNull(json, "pad_token_id", PadTokenId);
        if (json["rope_parameters"] is JsonObject parameters)
        {
            parameters["rope_theta"] = RopeTheta;
        }
        else
        {
            json["rope_theta"] = RopeTheta;
            json["rope_scaling"] = RopeScalingJson(RopeScaling);
        }
        return HuggingFaceConfigJson.ToText(json, dtype);
    }

    /// <summary>
    /// Mistral's, Phi-3's and Qwen's sliding-window attention changes outputs once a sequence is longer than the window; it is
    /// not implemented, so a config that turns it on for sequences the model can see is refused (and so is Phi-3's
    /// partial rotary embedding).
    /// </summary>
    private static void RequireNoSlidingWindow(HuggingFaceConfig config)
    {
        if (config.ModelType == "phi3")
        {
            double partial = config.GetObject("rope_parameters")?["partial_rotary_factor"] is JsonValue p && p.GetValueKind() == JsonValueKind.Number
                ? p.GetValue<double>()
                : config.GetDouble("partial_rotary_factor", 1.0);
            if (partial != 1.0)
                throw config.Invalid("partial_rotary_factor", $"is {partial}: rotary embedding of part of each head is not supported.");
        }
        if (config.ModelType is "qwen2" or "qwen3" && config.GetBoolean("use_sliding_window", false))
            throw config.Invalid("use_sliding_window", "is true: sliding-window attention is not supported.");
        if (config.ModelType is "mistral" or "phi3" && config.GetOptionalInt64("sliding_window") is long window
            && window < config.GetInt64("max_position_embeddings", new LlamaConfig().MaxPositionEmbeddings))
            throw config.Invalid("sliding_window", $"is {window}, shorter than max_position_embeddings: sliding-window attention is not supported.");
    }

    private static double ReadRopeTheta(HuggingFaceConfig config, JsonObject? parameters, double defaultValue)
    {
        if (config.Has("rope_theta"))
            return config.GetDouble("rope_theta", defaultValue);
        return parameters?["rope_theta"] is JsonValue theta && theta.GetValueKind() == JsonValueKind.Number
            ? theta.GetValue<double>()
            : defaultValue;
    }

    private static LlamaRopeScaling? ReadRopeScaling(HuggingFaceConfig config, JsonObject? parameters)
    {
        var scaling = config.GetObject("rope_scaling") ?? parameters;
        string key = config.Has("rope_scaling") ? "rope_scaling" : "rope_parameters";
        if (scaling is null)
            return null;
        string? type = (scaling["rope_type"] ?? scaling["type"]) is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        if (type is null or "default")
            return null;
        if (!LlamaRopeScaling.SupportedTypes.Contains(type))
            throw config.Invalid(key, $"has RoPE type '{type}', which is not supported (supported: default, {string.Join(", ", LlamaRopeScaling.SupportedTypes)}).");

        double Number(string name, double fallback) => scaling[name] switch
        {
            null => fallback,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
            var other => throw config.Invalid($"{key}.{name}", $"must be a number, got {other.ToJsonString()}."),
        };
        return new LlamaRopeScaling(
            type,
            Number("factor", 1.0),
            Number("low_freq_factor", 1.0),
            Number("high_freq_factor", 4.0),
            (long)Number("original_max_position_embeddings", 8192));
    }

    private static JsonObject? RopeScalingJson(LlamaRopeScaling? scaling)
    {
        if (scaling is null)
            return null;
        var json = new JsonObject { ["rope_type"] = scaling.RopeType, ["factor"] = scaling.Factor };
        if (scaling.RopeType == "llama3")
        {
            json["low_freq_factor"] = scaling.LowFreqFactor;
            json["high_freq_factor"] = scaling.HighFreqFactor;
            json["original_max_position_embeddings"] = scaling.OriginalMaxPositionEmbeddings;
        }
        return json;
    }
}
