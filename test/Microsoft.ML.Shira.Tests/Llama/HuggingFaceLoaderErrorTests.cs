using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Llama;

[TestClass]
public sealed class HuggingFaceLoaderErrorTests
{
    [TestMethod]
    public void MissingConfigNamesTheFile()
    {
        string dir = TestPaths.NewTempDirectory();
        File.Copy(Path.Combine(Stories260KData.Folder, "model.safetensors"), Path.Combine(dir, "model.safetensors"));
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, Path.Combine(dir, "config.json"));

        string absent = Path.Combine(dir, "no-such-folder");
        var folder = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(absent));
        StringAssert.Contains(folder.Message, absent);
    }

    [TestMethod]
    public void UnknownOrMissingModelTypeNamesFileAndValue()
    {
        string dir = Stories260KData.CopyToTemp();
        string config = Path.Combine(dir, "config.json");
        EditConfig(config, json => json["model_type"] = "no_such_architecture");
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, config);
        StringAssert.Contains(ex.Message, "'no_such_architecture'");
        StringAssert.Contains(ex.Message, "llama");

        EditConfig(config, json => json.Remove("model_type"));
        var missing = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(missing.Message, config);
        StringAssert.Contains(missing.Message, "model_type");
    }

    [TestMethod]
    public void InvalidConfigValuesNameFileAndKey()
    {
        string dir = Stories260KData.CopyToTemp();
        string config = Path.Combine(dir, "config.json");
        EditConfig(config, json => json["num_key_value_heads"] = 3);
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, config);
        StringAssert.Contains(ex.Message, "num_key_value_heads");

        EditConfig(config, json => { json["num_key_value_heads"] = 4; json["hidden_size"] = "64"; });
        ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, "'hidden_size' must be an integer");

        File.WriteAllText(config, "{ not json");
        ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, config);
    }

    /// <summary>
    /// A config whose sizes ask for terabytes (a corrupt or hostile <c>config.json</c> beside real weights) is refused by
    /// the shape check before anything is allocated: every module is built on the meta device, embeddings included
    /// (TorchSharp's <c>nn.Embedding</c> would first allocate the table on the CPU and fail with an allocator error).
    /// </summary>
    [TestMethod]
    [DataRow("llama-untied-gqa", "vocab_size,intermediate_size")]
    [DataRow("gemma", "vocab_size,intermediate_size")]
    [DataRow("phi3", "vocab_size,intermediate_size")]
    [DataRow("bert-no-pooler-targets", "vocab_size,intermediate_size,max_position_embeddings,type_vocab_size")]
    [DataRow("roberta", "vocab_size,intermediate_size,max_position_embeddings,type_vocab_size")]
    [DataRow("distilbert", "vocab_size,hidden_dim,max_position_embeddings")]
    public void ConfigAskingForTerabytesIsRefusedBeforeAllocating(string fixture, string tensorSizeKeys)
    {
        string source = Path.Combine(TestPaths.Data, "arch-refs", fixture, "base");
        foreach (string key in tensorSizeKeys.Split(','))
        {
            string dir = TestPaths.NewTempDirectory();
            foreach (string file in Directory.GetFiles(source))
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            EditConfig(Path.Combine(dir, "config.json"), json => json[key] = int.MaxValue);
            var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir), key);
            StringAssert.Contains(ex.Message, Path.Combine(dir, "config.json"), key);
        }
    }

    /// <summary>
    /// A config that declares a billion layers (found by the fuzz tool, seed 7, input 4576: building them even on the
    /// meta device did not finish in 10 minutes) or a head_dim of a billion is refused at once, naming the key.
    /// </summary>
    [TestMethod]
    [DataRow("llama-untied-gqa", "num_hidden_layers")]
    [DataRow("llama-untied-gqa", "head_dim")]
    [DataRow("bert-no-pooler-targets", "num_hidden_layers")]
    [DataRow("distilbert", "n_layers")]
    public void ConfigAskingForABillionOfSomethingIsRefusedAtOnce(string fixture, string key)
    {
        string source = Path.Combine(TestPaths.Data, "arch-refs", fixture, "base");
        string dir = TestPaths.NewTempDirectory();
        foreach (string file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        EditConfig(Path.Combine(dir, "config.json"), json => json[key] = 999_999_992);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, Path.Combine(dir, "config.json"));
        Assert.IsLessThan(30, clock.Elapsed.TotalSeconds, "Refused without building the layers (generous bound).");
    }

    [TestMethod]
    public void MissingTensorNamesFileAndTensor()
    {
        string dir = WriteModifiedWeights(state => state.Remove("model.layers.3.mlp.up_proj.weight"));
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, Path.Combine(dir, "model.safetensors"));
        StringAssert.Contains(ex.Message, "'model.layers.3.mlp.up_proj.weight'");
        StringAssert.Contains(ex.Message, "missing");
    }

    [TestMethod]
    public void UntiedConfigNeedsLmHead()
    {
        string dir = Stories260KData.CopyToTemp();
        EditConfig(Path.Combine(dir, "config.json"), json => json["tie_word_embeddings"] = false);
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, "'lm_head.weight'");
    }

    [TestMethod]
    public void TiedCheckpointMayStillCarryLmHead()
    {
        string dir = WriteModifiedWeights(state => state["lm_head.weight"] = state["model.embed_tokens.weight"].clone());
        using var model = HuggingFaceLoader.Load(dir);
        Assert.AreEqual("llama", model.ModelType);
    }

    [TestMethod]
    public void ExtraTensorNamesFileAndTensor()
    {
        string dir = WriteModifiedWeights(state => state["model.layers.9.self_attn.q_proj.weight"] = zeros(64, 64));
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, Path.Combine(dir, "model.safetensors"));
        StringAssert.Contains(ex.Message, "'model.layers.9.self_attn.q_proj.weight'");
    }

    [TestMethod]
    public void ShapeMismatchNamesFileTensorAndShapes()
    {
        string dir = WriteModifiedWeights(state => state["model.norm.weight"] = ones(65));
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, Path.Combine(dir, "model.safetensors"));
        StringAssert.Contains(ex.Message, "'model.norm.weight'");
        StringAssert.Contains(ex.Message, "[65]");
        StringAssert.Contains(ex.Message, "[64]");
    }

    [TestMethod]
    public void IntegerDTypeNamesFileAndTensor()
    {
        string dir = WriteModifiedWeights(state => state["model.norm.weight"] = ones(64, ScalarType.Int32));
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, "'model.norm.weight'");
        StringAssert.Contains(ex.Message, "I32");
        StringAssert.Contains(ex.Message, Path.Combine(dir, "model.safetensors"));
    }

    [TestMethod]
    public void TruncatedWeightsNameFileAndTensor()
    {
        string dir = Stories260KData.CopyToTemp(includeWeights: false);
        string weights = Path.Combine(dir, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(Path.Combine(Stories260KData.Folder, "model.safetensors"));
        File.WriteAllBytes(weights, bytes[..(bytes.Length - 1000)]);
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, weights);
        StringAssert.Contains(ex.Message, "truncated");
        StringAssert.Contains(ex.Message, "tensor 'model.");
    }

    [TestMethod]
    public void MissingWeightsNameTheExpectedFiles()
    {
        string dir = Stories260KData.CopyToTemp(includeWeights: false);
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(ex.Message, Path.Combine(dir, "model.safetensors"));
        StringAssert.Contains(ex.Message, Path.Combine(dir, "model.safetensors.index.json"));
    }

    [TestMethod]
    public void BrokenShardIndexNamesShardAndTensor()
    {
        string dir = Stories260KData.CopyToTemp(includeWeights: false);
        string index = Path.Combine(dir, "model.safetensors.index.json");
        var original = Stories260KData.ReadStateDict();
        SafetensorsWriter.Write(Path.Combine(dir, "a.safetensors"), original);
        var map = new JsonObject();
        foreach (string name in original.Keys)
            map[name] = "a.safetensors";
        map["model.norm.weight"] = "b.safetensors";
        File.WriteAllText(index, new JsonObject { ["weight_map"] = map }.ToJsonString());
        var missingShard = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(missingShard.Message, Path.Combine(dir, "b.safetensors"));
        StringAssert.Contains(missingShard.Message, index);

        SafetensorsWriter.Write(Path.Combine(dir, "b.safetensors"), new Dictionary<string, Tensor> { ["model.extra"] = ones(1) });
        var wrongShard = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(dir));
        StringAssert.Contains(wrongShard.Message, "'model.norm.weight'");
        StringAssert.Contains(wrongShard.Message, Path.Combine(dir, "b.safetensors"));
        foreach (var tensor in original.Values)
            tensor.Dispose();
    }

    private static string WriteModifiedWeights(Action<Dictionary<string, Tensor>> modify)
    {
        string dir = Stories260KData.CopyToTemp(includeWeights: false);
        using var scope = NewDisposeScope();
        var state = Stories260KData.ReadStateDict();
        modify(state);
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), state);
        return dir;
    }

    private static void EditConfig(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
