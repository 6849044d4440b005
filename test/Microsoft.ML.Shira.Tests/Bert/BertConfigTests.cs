using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Tests.Bert;

[TestClass]
public sealed class BertConfigTests
{
    private const string MiniLmConfigJson = """
        {
          "_name_or_path": "nreimers/MiniLM-L6-H384-uncased",
          "architectures": ["BertModel"],
          "attention_probs_dropout_prob": 0.1,
          "gradient_checkpointing": false,
          "hidden_act": "gelu",
          "hidden_dropout_prob": 0.1,
          "hidden_size": 384,
          "initializer_range": 0.02,
          "intermediate_size": 1536,
          "layer_norm_eps": 1e-12,
          "max_position_embeddings": 512,
          "model_type": "bert",
          "num_attention_heads": 12,
          "num_hidden_layers": 6,
          "pad_token_id": 0,
          "position_embedding_type": "absolute",
          "transformers_version": "4.8.2",
          "type_vocab_size": 2,
          "use_cache": true,
          "vocab_size": 30522
        }
        """;

    [TestMethod]
    public void ParsesHuggingFaceConfigJson()
    {
        var config = BertConfig.FromJson(MiniLmConfigJson);
        Assert.AreEqual(BertConfig.MiniLmL6V2, config);
        Assert.AreEqual(32, config.HeadSize);
    }

    [TestMethod]
    public void RoundTripsThroughJson()
    {
        var config = BertConfig.MiniLmL6V2 with { NumHiddenLayers = 3, LayerNormEps = 1e-5 };
        Assert.AreEqual(config, BertConfig.FromJson(config.ToJson()));
        StringAssert.Contains(config.ToJson(), "\"num_hidden_layers\": 3");
    }

    [TestMethod]
    public void RejectsInvalidValues()
    {
        var heads = Assert.ThrowsExactly<ArgumentException>(() => BertConfig.FromJson("""{"hidden_size": 100, "num_attention_heads": 12}"""));
        StringAssert.Contains(heads.Message, "multiple of num_attention_heads");
        var act = Assert.ThrowsExactly<ArgumentException>(() => BertConfig.FromJson("""{"hidden_act": "swish"}"""));
        StringAssert.Contains(act.Message, "swish");
        Assert.ThrowsExactly<ShiraFormatException>(() => BertConfig.FromJson("{ not json"));
        Assert.ThrowsExactly<ShiraFormatException>(() => BertConfig.FromJson("""{"hidden_size": "large"}"""));
    }
}
