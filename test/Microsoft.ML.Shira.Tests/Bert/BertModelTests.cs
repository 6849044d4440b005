using System.Reflection;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Models.StateDict;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Bert;

[TestClass]
public sealed class BertModelTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 50,
        HiddenSize = 16,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        IntermediateSize = 32,
        MaxPositionEmbeddings = 20,
    };

    [TestMethod]
    public void ParameterNamesAndShapesAreHuggingFaces()
    {
        using var model = new BertModel(Tiny);
        var actual = model.named_parameters().Select(p => (p.name, string.Join(",", p.parameter.shape))).ToList();
        var expected = BertModel.ParameterShapes(Tiny).Select(kv => (kv.Key, string.Join(",", kv.Value))).ToList();
        CollectionAssert.AreEquivalent(expected, actual);
        var names = actual.Select(a => a.Item1).ToHashSet();
        foreach (var name in new[]
        {
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight", "encoder.layer.1.attention.self.query.weight", "encoder.layer.1.attention.self.key.bias",
            "encoder.layer.1.attention.self.value.weight", "encoder.layer.1.attention.output.dense.weight",
            "encoder.layer.1.attention.output.LayerNorm.bias", "encoder.layer.1.intermediate.dense.weight",
            "encoder.layer.1.output.dense.weight", "encoder.layer.1.output.LayerNorm.weight",
        })
            Assert.Contains(name, names);
        Assert.HasCount(5 + 16 * Tiny.NumHiddenLayers, actual);
    }

    [TestMethod]
    public void AdaptableLinearsAreDeclaredAsModuleFields()
    {
        // An adapter injector swaps these by reflection, so their declared type must not be the sealed Linear.
        var expected = new Dictionary<Type, string[]>
        {
            [typeof(BertSelfAttention)] = ["query", "key", "value"],
            [typeof(BertResidualOutput)] = ["dense"],
            [typeof(BertIntermediate)] = ["dense"],
        };
        foreach (var (type, fields) in expected)
            foreach (var name in fields)
            {
                var field = type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic);
                Assert.IsNotNull(field, $"{type.Name}.{name}");
                Assert.AreEqual(typeof(nn.Module<Tensor, Tensor>), field.FieldType, $"{type.Name}.{name}");
                Assert.IsFalse(field.IsInitOnly, $"{type.Name}.{name} must be assignable");
            }
    }

    [TestMethod]
    public void ForwardGivesHiddenStatesAndIgnoresPadding()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = new BertModel(Tiny);
        model.eval();
        var ids = tensor(new long[] { 1, 5, 7, 2, 1, 9, 2, 0 }, [2, 4]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 0 }, [2, 4]);
        var hidden = model.forward(ids, mask);
        CollectionAssert.AreEqual(new long[] { 2, 4, 16 }, hidden.shape);

        // Row 1 alone without padding must match row 1 of the padded batch on its real tokens.
        var alone = model.forward(tensor(new long[] { 1, 9, 2 }, [1, 3]), ones(1, 3, dtype: ScalarType.Int64));
        var diff = (hidden[1, TensorIndex.Slice(0, 3)] - alone[0]).abs().max().item<float>();
        Assert.IsLessThan(1e-5f, diff);

        var pooled = SentencePooling.Mean(hidden, mask);
        var manual = alone[0].mean([0]);
        Assert.IsLessThan(1e-5f, (pooled[1] - manual).abs().max().item<float>());
    }

    [TestMethod]
    public void TokenTypeIdsChangeTheOutput()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(Tiny);
        model.eval();
        var ids = tensor(new long[] { 1, 5, 7, 2 }, [1, 4]);
        var mask = ones(1, 4, dtype: ScalarType.Int64);
        var a = model.forward(ids, mask, null);
        var b = model.forward(ids, mask, zeros(1, 4, dtype: ScalarType.Int64));
        var c = model.forward(ids, mask, tensor(new long[] { 0, 0, 1, 1 }, [1, 4]));
        Assert.IsTrue(a.allclose(b));
        Assert.IsFalse(a.allclose(c));
    }

    [TestMethod]
    public void BackwardReachesEveryParameterInTraining()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(Tiny with { HiddenDropoutProb = 0, AttentionProbsDropoutProb = 0 });
        model.train();
        var ids = tensor(new long[] { 1, 5, 7, 2, 1, 9, 2, 0 }, [2, 4]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 0 }, [2, 4]);
        var types = tensor(new long[] { 0, 0, 1, 1, 0, 1, 1, 0 }, [2, 4]);
        SentencePooling.Mean(model.call(ids, mask, types), mask).pow(2).sum().backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name == "embeddings.word_embeddings.weight" || name == "embeddings.position_embeddings.weight")
                continue; // rows of unused ids/positions stay zero, but the tensors still get gradients
            Assert.IsNotNull(parameter.grad, name);
            Assert.IsGreaterThan(0f, parameter.grad.abs().sum().item<float>(), name);
        }
        Assert.IsNotNull(model.named_parameters().First(p => p.name == "embeddings.word_embeddings.weight").parameter.grad);
    }

    [TestMethod]
    public void LoadWeightsCopiesByHuggingFaceName()
    {
        using var source = new BertModel(Tiny);
        using var target = new BertModel(Tiny);
        var dict = source.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        using var pooler = zeros(16, 16);
        dict["pooler.dense.weight"] = pooler; // ignored, as in Hugging Face checkpoints
        target.LoadWeights(dict);
        foreach (var (name, parameter) in target.named_parameters())
            Assert.IsTrue(parameter.allclose(dict[name], rtol: 0, atol: 0), name);
    }

    [TestMethod]
    public void LoadWeightsNamesMissingExtraAndMismatchedTensors()
    {
        using var source = new BertModel(Tiny);
        using var target = new BertModel(Tiny);
        var dict = source.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        dict.Remove("encoder.layer.1.attention.self.key.weight");
        using var extra = zeros(3);
        dict["encoder.layer.1.attention.self.extra"] = extra;
        using var wrong = zeros(16, 8);
        dict["encoder.layer.0.output.dense.weight"] = wrong;

        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => target.LoadWeights(dict));
        StringAssert.Contains(ex.Message, "missing 1 tensor(s): encoder.layer.1.attention.self.key.weight");
        StringAssert.Contains(ex.Message, "unexpected 1 tensor(s): encoder.layer.1.attention.self.extra");
        StringAssert.Contains(ex.Message, "1 shape mismatch(es)");
        StringAssert.Contains(ex.Message, "encoder.layer.0.output.dense.weight: checkpoint [16, 8] vs model [16, 32]");
    }

    [TestMethod]
    public void AttentionBiasIsZeroForVisibleAndLargeNegativeForPadding()
    {
        using var scope = NewDisposeScope();
        var bias = BertModel.AttentionBias(tensor(new long[] { 1, 0 }, [1, 2]), ScalarType.Float32);
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 2 }, bias.shape);
        Assert.AreEqual(0f, bias[0, 0, 0, 0].item<float>());
        Assert.AreEqual(float.MinValue, bias[0, 0, 0, 1].item<float>());
    }
}
