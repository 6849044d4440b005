using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Models.Gpt2;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Gpt2;

[TestClass]
public sealed class Gpt2GenerationTests
{
    [TestMethod]
    public void IncrementalLogitsMatchFullForward()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(Enumerable.Range(0, 20).Select(i => (long)(i * 7 % Gpt2TestCheckpoint.VocabSize)).ToArray()).unsqueeze(0);
        var full = model.Forward(ids);

        using var cache = (Gpt2KVCache)model.CreateCache();
        var steps = new List<Tensor> { model.Forward(ids.narrow(1, 0, 6), cache: cache) };
        for (long position = 6; position < ids.shape[1]; position++)
            steps.Add(model.Forward(ids.narrow(1, position, 1), cache: cache));
        Assert.AreEqual(ids.shape[1], cache.Length);
        Assert.IsLessThan(1e-5, (full - cat(steps, 1)).abs().max().item<float>());
    }

    [TestMethod]
    public void GreedyAndSampledGenerationWithAndWithoutCacheAgree()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        model.eval();
        var generator = new TextGenerator(model, new IdTokenizer(Gpt2TestCheckpoint.VocabSize), new[] { -1 });
        var prompt = new[] { 3, 14, 15, 9, 26 };
        var greedy = new GenerationOptions { MaxNewTokens = 30, StopAtEndOfSequence = false };
        var cached = generator.Generate(prompt, greedy);
        var uncached = generator.Generate(prompt, greedy with { UseCache = false });
        Assert.HasCount(30, cached.GeneratedIds);
        CollectionAssert.AreEqual(uncached.GeneratedIds.ToArray(), cached.GeneratedIds.ToArray());

        foreach (ulong seed in new ulong[] { 1, 2 })
        {
            var sampled = greedy with { DoSample = true, Temperature = 1.2, TopK = 0, TopP = 0.95, Seed = seed };
            var a = generator.Generate(prompt, sampled);
            var b = generator.Generate(prompt, sampled with { UseCache = false });
            CollectionAssert.AreEqual(b.GeneratedIds.ToArray(), a.GeneratedIds.ToArray(), $"seed {seed}");
        }
    }

    [TestMethod]
    public void GenerationStopsAtTheLearnedPositions()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        var generator = new TextGenerator(model, new IdTokenizer(Gpt2TestCheckpoint.VocabSize), new[] { -1 });
        var result = generator.Generate(new[] { 1, 2, 3 }, new GenerationOptions { MaxNewTokens = 100, StopAtEndOfSequence = false });
        Assert.AreEqual(Gpt2TestCheckpoint.Positions, result.SequenceIds.Count);

        using var scope = NewDisposeScope();
        var tooLong = zeros(1, Gpt2TestCheckpoint.Positions + 1, ScalarType.Int64);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => model.Forward(tooLong));
        StringAssert.Contains(ex.Message, "n_positions");
    }

    [TestMethod]
    public void LeftPaddingGivesTheUnpaddedLogits()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] a = { 4, 8, 15, 16, 23, 42, 7, 9 };
        long[] b = { 1, 2, 3, 5, 8 };
        var padded = tensor(a.Concat(new long[3]).Concat(b).ToArray()).reshape(2, 8);
        var mask = tensor(Enumerable.Repeat(1L, 8).Concat(new long[3]).Concat(Enumerable.Repeat(1L, 5)).ToArray()).reshape(2, 8);
        var logits = model.Forward(padded, mask);
        Assert.IsTrue(logits[0].allclose(model.Forward(tensor(a).unsqueeze(0))[0], rtol: 0, atol: 1e-5));
        Assert.IsTrue(logits[1].narrow(0, 3, 5).allclose(model.Forward(tensor(b).unsqueeze(0))[0], rtol: 0, atol: 1e-5));
    }

    /// <summary>Decodes each id as one character: enough for the generator on a model with a 64-token vocabulary.</summary>
    private sealed class IdTokenizer(int size) : Text.ICausalLMTokenizer
    {
        public int VocabularySize => size;

        public int? BosTokenId => null;

        public int? EosTokenId => null;

        public IReadOnlyList<int> Encode(string text, bool addBos = true) => text.Select(c => c % size).ToArray();

        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => new(ids.Select(i => (char)('0' + i)).ToArray());
    }
}
