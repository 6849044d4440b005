using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Shira.IO.HuggingFace;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// Hyper-parameters of a BERT-family encoder, with the field names of a Hugging Face <c>config.json</c>
/// (<c>BertConfig</c>). Unknown fields of the JSON are ignored.
/// </summary>
internal sealed record BertConfig
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>
    /// The <c>model_type</c>s with BERT's layout, and their transformers class: RoBERTa and XLM-RoBERTa differ only in
    /// their position ids, which start after the padding id and skip padding (<c>padding_idx + 1 + cumsum</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Family { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["bert"] = "BertModel",
        ["roberta"] = "RobertaModel",
        ["xlm-roberta"] = "XLMRobertaModel",
    };

    /// <summary>Hugging Face <c>model_type</c> of this configuration (a key of <see cref="Family"/>).</summary>
    [JsonPropertyName("model_type")]
    public string ModelType { get; init; } = "bert";

    /// <summary>The transformers class of <see cref="ModelType"/> (written to an exported <c>config.json</c>).</summary>
    [JsonPropertyName("architectures")]
    public IReadOnlyList<string> Architectures => [Family.TryGetValue(ModelType, out var name) ? name : "BertModel"];

    /// <summary>Position ids count real tokens from <c>pad_token_id + 1</c> (RoBERTa, XLM-RoBERTa).</summary>
    [JsonIgnore]
    public bool PositionsAfterPadding => ModelType is "roberta" or "xlm-roberta";

    /// <summary>Parses a Hugging Face <c>config.json</c> already read by the checkpoint loader.</summary>
    /// <exception cref="ShiraFormatException">The values are invalid; the message names the file.</exception>
    public static BertConfig FromHuggingFace(HuggingFaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            return FromJson(config.Json.ToJsonString());
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new ShiraFormatException($"Config file '{config.Source}': {ex.Message}", ex);
        }
    }

    /// <summary>Number of WordPiece tokens (<c>vocab_size</c>).</summary>
    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 30522;

    /// <summary>Width of every hidden state (<c>hidden_size</c>).</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 768;

    /// <summary>Number of transformer layers (<c>num_hidden_layers</c>).</summary>
    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary>Number of attention heads per layer (<c>num_attention_heads</c>).</summary>
    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; } = 12;

    /// <summary>Width of the feed-forward layer (<c>intermediate_size</c>).</summary>
    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; } = 3072;

    /// <summary>Feed-forward activation (<c>hidden_act</c>): <c>gelu</c> (exact, erf-based) or <c>relu</c>.</summary>
    [JsonPropertyName("hidden_act")]
    public string HiddenAct { get; init; } = "gelu";

    /// <summary>Dropout on embeddings and sub-layer outputs while training (<c>hidden_dropout_prob</c>).</summary>
    [JsonPropertyName("hidden_dropout_prob")]
    public double HiddenDropoutProb { get; init; } = 0.1;

    /// <summary>Dropout on attention probabilities while training (<c>attention_probs_dropout_prob</c>).</summary>
    [JsonPropertyName("attention_probs_dropout_prob")]
    public double AttentionProbsDropoutProb { get; init; } = 0.1;

    /// <summary>Number of learned absolute positions (<c>max_position_embeddings</c>).</summary>
    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Number of segment (token type) ids (<c>type_vocab_size</c>).</summary>
    [JsonPropertyName("type_vocab_size")]
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>Epsilon of every LayerNorm (<c>layer_norm_eps</c>).</summary>
    [JsonPropertyName("layer_norm_eps")]
    public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Id of the padding token (<c>pad_token_id</c>).</summary>
    [JsonPropertyName("pad_token_id")]
    public int PadTokenId { get; init; }

    /// <summary>Position encoding (<c>position_embedding_type</c>); only <c>absolute</c> is supported.</summary>
    [JsonPropertyName("position_embedding_type")]
    public string PositionEmbeddingType { get; init; } = "absolute";

    /// <summary>
    /// Whether the encoder has Hugging Face's pooler (<c>pooler.dense</c>). Not a <c>config.json</c> field in
    /// transformers (it is <c>BertModel</c>'s <c>add_pooling_layer</c> argument): the checkpoint loader sets it when the
    /// checkpoint holds pooler weights; written only when true.
    /// </summary>
    [JsonPropertyName("add_pooling_layer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AddPoolingLayer { get; init; }

    /// <summary>Width of one attention head: <see cref="HiddenSize"/> / <see cref="NumAttentionHeads"/>.</summary>
    [JsonIgnore]
    public int HeadSize => NumAttentionHeads == 0 ? 0 : HiddenSize / NumAttentionHeads;

    /// <summary>The configuration of sentence-transformers' all-MiniLM-L6-v2 (6 layers, 12 heads, width 384).</summary>
    public static BertConfig MiniLmL6V2 { get; } = new()
    {
        VocabSize = 30522,
        HiddenSize = 384,
        NumHiddenLayers = 6,
        NumAttentionHeads = 12,
        IntermediateSize = 1536,
        HiddenAct = "gelu",
        MaxPositionEmbeddings = 512,
        TypeVocabSize = 2,
        LayerNormEps = 1e-12,
        PadTokenId = 0,
    };

    /// <summary>Parses the text of a Hugging Face <c>config.json</c> and validates it.</summary>
    /// <exception cref="ShiraFormatException">The text is not valid JSON or a value has the wrong type.</exception>
    /// <exception cref="ArgumentException">A value is out of range or unsupported (see <see cref="Validate"/>).</exception>
    public static BertConfig FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        BertConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<BertConfig>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new ShiraFormatException($"Not a valid BERT config.json: {ex.Message}", ex);
        }
        if (config is null)
            throw new ShiraFormatException("Not a valid BERT config.json: the JSON is 'null'.");
        config.Validate();
        return config;
    }

    /// <summary>Reads and parses a Hugging Face <c>config.json</c> file.</summary>
    public static BertConfig FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return FromJson(File.ReadAllText(path));
    }

    /// <summary>Checks that the values describe an encoder this library can build.</summary>
    /// <exception cref="ArgumentException">A value is out of range or unsupported.</exception>
    public void Validate()
    {
        Require(Family.ContainsKey(ModelType), $"model_type '{ModelType}' does not have BERT's layout (supported: {string.Join(", ", Family.Keys)}).");
        Require(VocabSize > 0, $"vocab_size must be positive (is {VocabSize}).");
        Require(HiddenSize > 0, $"hidden_size must be positive (is {HiddenSize}).");
        Require(NumHiddenLayers > 0, $"num_hidden_layers must be positive (is {NumHiddenLayers}).");
        Require(NumAttentionHeads > 0, $"num_attention_heads must be positive (is {NumAttentionHeads}).");
        Require(HiddenSize % NumAttentionHeads == 0,
            $"hidden_size ({HiddenSize}) must be a multiple of num_attention_heads ({NumAttentionHeads}).");
        Require(IntermediateSize > 0, $"intermediate_size must be positive (is {IntermediateSize}).");
        Require(MaxPositionEmbeddings > 0, $"max_position_embeddings must be positive (is {MaxPositionEmbeddings}).");
        Require(TypeVocabSize > 0, $"type_vocab_size must be positive (is {TypeVocabSize}).");
        Require(LayerNormEps > 0, $"layer_norm_eps must be positive (is {LayerNormEps}).");
        Require(PadTokenId >= 0 && PadTokenId < VocabSize, $"pad_token_id ({PadTokenId}) must be in [0, vocab_size).");
        Require(HiddenDropoutProb is >= 0 and < 1, $"hidden_dropout_prob must be in [0, 1) (is {HiddenDropoutProb}).");
        Require(AttentionProbsDropoutProb is >= 0 and < 1,
            $"attention_probs_dropout_prob must be in [0, 1) (is {AttentionProbsDropoutProb}).");
        Require(BertActivation.IsSupported(HiddenAct),
            $"hidden_act '{HiddenAct}' is not supported; use one of: {string.Join(", ", BertActivation.Supported)}.");
        Require(string.Equals(PositionEmbeddingType, "absolute", StringComparison.Ordinal),
            $"position_embedding_type '{PositionEmbeddingType}' is not supported; only 'absolute' is.");
    }

    /// <summary>Serializes to Hugging Face <c>config.json</c> field names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions(JsonOptions) { WriteIndented = true });

    private static void Require(bool condition, string message)
    {
        if (!condition)
            throw new ArgumentException("Invalid BERT config: " + message);
    }
}
