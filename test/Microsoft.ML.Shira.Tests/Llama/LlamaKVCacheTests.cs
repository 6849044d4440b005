using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Llama;

[TestClass]
public sealed class LlamaKVCacheTests
{
    [TestMethod]
    [DynamicData(nameof(Stories260KData.ReferenceCaseData), typeof(Stories260KData))]
    public void GreedyWithAndWithoutCacheAgree(ReferenceCase reference)
    {
        using var model = Stories260KData.LoadModel();
        var generator = new TextGenerator(model, Stories260KData.LoadTokenizer());
        var options = new GenerationOptions { MaxNewTokens = 100 - reference.PromptIds.Length };
        var cached = generator.Generate(reference.Prompt, options);
        var uncached = generator.Generate(reference.Prompt, options with { UseCache = false });
        CollectionAssert.AreEqual(cached.GeneratedIds.ToArray(), uncached.GeneratedIds.ToArray());
        CollectionAssert.AreEqual(reference.SequenceIds, uncached.SequenceIds.ToArray());
    }

    [TestMethod]
    public void SeededSamplingWithAndWithoutCacheAgree()
    {
        using var model = Stories260KData.LoadModel();
        var generator = new TextGenerator(model, Stories260KData.LoadTokenizer());
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            var options = new GenerationOptions { MaxNewTokens = 60, DoSample = true, Temperature = 0.9, TopK = 0, TopP = 0.95, Seed = seed };
            var cached = generator.Generate("Lily and Tom", options);
            var uncached = generator.Generate("Lily and Tom", options with { UseCache = false });
            CollectionAssert.AreEqual(cached.GeneratedIds.ToArray(), uncached.GeneratedIds.ToArray(), $"seed {seed}");
        }
    }

    [TestMethod]
    public void IncrementalLogitsMatchFullForward()
    {
        using var model = Stories260KData.LoadModel();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(Stories260KData.ReferenceCases[0].SequenceIds.Select(i => (long)i).ToArray()).unsqueeze(0);
        var full = model.Forward(ids);

        using var cache = (LlamaKVCache)model.CreateCache();
        var steps = new List<Tensor> { model.Forward(ids.narrow(1, 0, 10), cache: cache) };
        for (long position = 10; position < ids.shape[1]; position++)
            steps.Add(model.Forward(ids.narrow(1, position, 1), cache: cache));
        Assert.AreEqual(ids.shape[1], cache.Length);
        var incremental = cat(steps, 1);
        CollectionAssert.AreEqual(full.shape, incremental.shape);
        Assert.IsLessThan(1e-4, (full - incremental).abs().max().item<float>());

        var last = model.Forward(ids, lastPositionOnly: true);
        CollectionAssert.AreEqual(new long[] { 1, 1, 512 }, last.shape);
        Assert.IsTrue(last.allclose(full.narrow(1, ids.shape[1] - 1, 1), rtol: 0, atol: 1e-4));
        cache.Reset();
        Assert.AreEqual(0, cache.Length);
    }

    [TestMethod]
    public void LeftAndRightPaddingGiveTheUnpaddedLogits()
    {
        using var model = Stories260KData.LoadModel();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] a = Stories260KData.ReferenceCases[0].SequenceIds.Take(10).Select(i => (long)i).ToArray();
        long[] b = Stories260KData.ReferenceCases[1].SequenceIds.Take(6).Select(i => (long)i).ToArray();
        var expectedA = model.Forward(tensor(a).unsqueeze(0));
        var expectedB = model.Forward(tensor(b).unsqueeze(0));

        // Left padding: b is preceded by 4 pad (0) ids.
        var left = tensor(a.Concat(new long[4].Concat(b)).ToArray()).reshape(2, 10);
        var leftMask = tensor(Enumerable.Repeat(1L, 10).Concat(new long[4]).Concat(Enumerable.Repeat(1L, 6)).ToArray()).reshape(2, 10);
        var leftLogits = model.Forward(left, leftMask);
        Assert.IsTrue(leftLogits[0].allclose(expectedA[0], rtol: 0, atol: 1e-4));
        Assert.IsTrue(leftLogits[1].narrow(0, 4, 6).allclose(expectedB[0], rtol: 0, atol: 1e-4));

        // Right padding: b is followed by 4 pad ids.
        var right = tensor(a.Concat(b).Concat(new long[4]).ToArray()).reshape(2, 10);
        var rightMask = tensor(Enumerable.Repeat(1L, 16).Concat(new long[4]).ToArray()).reshape(2, 10);
        var rightLogits = model.Forward(right, rightMask);
        Assert.IsTrue(rightLogits[1].narrow(0, 0, 6).allclose(expectedB[0], rtol: 0, atol: 1e-4));

        // Left padding with a cache: one more token after the padded prefill.
        using var cache = model.CreateCache();
        model.Forward(left, leftMask, cache);
        var next = tensor(new long[] { 300, 300 }).reshape(2, 1);
        var stepMask = cat(new[] { leftMask, ones(2, 1, ScalarType.Int64) }, 1);
        var step = model.Forward(next, stepMask, cache);
        var expectedStep = model.Forward(tensor(b.Append(300L).ToArray()).unsqueeze(0), lastPositionOnly: true);
        Assert.IsTrue(step[1].allclose(expectedStep[0], rtol: 0, atol: 1e-4));
    }

    [TestMethod]
    public void WrongMaskShapeIsRejected()
    {
        using var model = Stories260KData.LoadModel();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 403, 407 }).unsqueeze(0);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => model.Forward(ids, ones(1, 2, ScalarType.Int64)));
        StringAssert.Contains(ex.Message, "[1, 3]");
    }
}
