using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Models.Gpt2;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Tests.Gpt2;

[TestClass]
public sealed class Gpt2PretrainedFolderTests
{
    [TestMethod]
    public void FolderWithTokenizerJsonLoadsAndGenerates()
    {
        string dir = Gpt2TiktokenReference.WriteFolder(vocabAndMerges: false);
        // Large weights keep the logits of this random model well apart, so greedy choices do not hinge on rounding.
        var config = new Gpt2Config { VocabSize = 50257, NPositions = 48, NEmbd = 16, NLayer = 2, NHead = 2, InitializerRange = 0.5 };
        using (var random = new Gpt2LMHeadModel(config))
            HuggingFaceExporter.Save(random, dir);

        using var decoder = PretrainedDecoders.Load(dir);
        Assert.IsInstanceOfType<Gpt2LMHeadModel>(decoder.Model);
        Assert.IsInstanceOfType<ByteLevelBpeCausalLMTokenizer>(decoder.Tokenizer);
        CollectionAssert.AreEqual(new[] { Gpt2TiktokenReference.EndOfTextId }, decoder.EndOfSequenceIds.ToArray());

        string prompt = "Once upon a time, there was";
        var options = new GenerationOptions { MaxNewTokens = 12, StopAtEndOfSequence = false };
        var cached = decoder.Generator.Generate(prompt, options);
        var uncached = decoder.Generator.Generate(prompt, options with { UseCache = false });
        CollectionAssert.AreEqual(Gpt2TiktokenReference.Tiktoken.EncodeToIds(prompt).ToArray(), cached.PromptIds.ToArray(), "prompt encoded without BOS");
        CollectionAssert.AreEqual(uncached.GeneratedIds.ToArray(), cached.GeneratedIds.ToArray());
        Assert.HasCount(12, cached.GeneratedIds);
        Assert.AreEqual(decoder.Tokenizer.Decode(cached.SequenceIds), prompt + cached.Text);
    }
}
