using System.Text.Json.Nodes;
using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Models.DistilBert;

/// <summary>Hyper-parameters of a DistilBERT encoder, named and defaulted as in Hugging Face's <c>DistilBertConfig</c>.</summary>
internal sealed record DistilBertConfig
{
    /// <summary>The Hugging Face <c>model_type</c>.</summary>
    public const string ModelType = "distilbert";

    /// <summary><c>vocab_size</c>.</summary>
    public long VocabSize { get; init; } = 30522;

    /// <summary><c>dim</c> (hidden width).</summary>
    public long Dim { get; init; } = 768;

    /// <summary><c>n_layers</c>.</summary>
    public int Layers { get; init; } = 6;

    /// <summary><c>n_heads</c>.</summary>
    public long Heads { get; init; } = 12;

    /// <summary><c>hidden_dim</c> (feed-forward width).</summary>
    public long HiddenDim { get; init; } = 3072;

    /// <summary><c>activation</c>: <c>gelu</c> or <c>relu</c>.</summary>
    public string Activation { get; init; } = "gelu";

    /// <summary><c>dropout</c> on embeddings and sub-layer outputs (training only).</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary><c>attention_dropout</c> (training only).</summary>
    public double AttentionDropout { get; init; } = 0.1;

    /// <summary><c>max_position_embeddings</c>.</summary>
    public long MaxPositionEmbeddings { get; init; } = 512;

    /// <summary><c>pad_token_id</c>.</summary>
    public long PadTokenId { get; init; }

    /// <summary>The config.json this config was read from (kept so that an export preserves unknown keys).</summary>
    private JsonObject? SourceJson { get; init; }

    /// <summary>Reads a parsed <c>config.json</c>.</summary>
    /// <exception cref="ShiraFormatException">Wrong <c>model_type</c>, or missing/invalid values.</exception>
    public static DistilBertConfig FromHuggingFace(HuggingFaceConfig config)
    {
        HuggingFaceConfigJson.RequireModelType(config, ModelType);
        if (config.GetBoolean("sinusoidal_pos_embds", false))
            throw config.Invalid("sinusoidal_pos_embds", "is true: sinusoidal position embeddings are not supported (only learned ones).");
        var defaults = new DistilBertConfig();
        var result = new DistilBertConfig
        {
            VocabSize = config.GetInt64("vocab_size", defaults.VocabSize),
            Dim = config.GetInt64("dim", defaults.Dim),
            Layers = checked((int)config.GetInt64("n_layers", defaults.Layers)),
            Heads = config.GetInt64("n_heads", defaults.Heads),
            HiddenDim = config.GetInt64("hidden_dim", defaults.HiddenDim),
            Activation = config.GetString("activation") ?? defaults.Activation,
            Dropout = config.GetDouble("dropout", defaults.Dropout),
            AttentionDropout = config.GetDouble("attention_dropout", defaults.AttentionDropout),
            MaxPositionEmbeddings = config.GetInt64("max_position_embeddings", defaults.MaxPositionEmbeddings),
            PadTokenId = config.GetInt64("pad_token_id", defaults.PadTokenId),
            SourceJson = (JsonObject)config.Json.DeepClone(),
        };
        HuggingFaceConfigJson.Validate(config, result.Validate);
        return result;
    }

    /// <summary>Checks that the sizes are positive and consistent.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the config key.</exception>
    public void Validate()
    {
        Require(VocabSize > 0, "vocab_size", VocabSize);
        Require(Dim > 0, "dim", Dim);
        Require(Layers > 0, "n_layers", Layers);
        Require(Heads > 0 && Dim % Heads == 0, "n_heads", $"{Heads} (must divide dim = {Dim})");
        Require(HiddenDim > 0, "hidden_dim", HiddenDim);
        Require(MaxPositionEmbeddings > 0, "max_position_embeddings", MaxPositionEmbeddings);
        Require(PadTokenId >= 0 && PadTokenId < VocabSize, "pad_token_id", PadTokenId);
        Require(Dropout is >= 0 and < 1, "dropout", Dropout);
        Require(AttentionDropout is >= 0 and < 1, "attention_dropout", AttentionDropout);
        Require(BertActivation.IsSupported(Activation), "activation", $"'{Activation}' (supported: {string.Join(", ", BertActivation.Supported)})");
    }

    /// <summary>Writes the config as <c>config.json</c> text; keys this class does not model are kept.</summary>
    public string ToJson(ScalarType dtype = ScalarType.Float32)
    {
        var json = HuggingFaceConfigJson.Start(SourceJson, "DistilBertModel", ModelType);
        json["vocab_size"] = VocabSize;
        json["dim"] = Dim;
        json["n_layers"] = Layers;
        json["n_heads"] = Heads;
        json["hidden_dim"] = HiddenDim;
        json["activation"] = Activation;
        json["dropout"] = Dropout;
        json["attention_dropout"] = AttentionDropout;
        json["max_position_embeddings"] = MaxPositionEmbeddings;
        json["pad_token_id"] = PadTokenId;
        json["sinusoidal_pos_embds"] = false;
        return HuggingFaceConfigJson.ToText(json, dtype);
    }

    private static void Require(bool condition, string key, object value) => HuggingFaceConfigJson.Require(condition, "DistilBERT", key, value);
}
