using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Decoding;

namespace Microsoft.ML.Shira.Tests.Llama;

[TestClass]
public sealed class LlamaGenerationTests
{
    private static readonly ReferenceCase OnceUponATime = Stories260KData.ReferenceCases[0];

    [TestMethod]
    public void SeededSamplingIsReproducible()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var options = new GenerationOptions { DoSample = true, Temperature = 1.0, TopK = 40, TopP = 0.9, Seed = 1234, MaxNewTokens = 80 };
        var first = decoder.Generator.Generate("Once upon a time", options);
        var second = decoder.Generator.Generate("Once upon a time", options);
        CollectionAssert.AreEqual(first.GeneratedIds.ToArray(), second.GeneratedIds.ToArray());
        Assert.AreEqual(first.Text, second.Text);

        var other = decoder.Generator.Generate("Once upon a time", options with { Seed = 4321 });
        CollectionAssert.AreNotEqual(first.GeneratedIds.ToArray(), other.GeneratedIds.ToArray());
    }

    [TestMethod]
    public void SamplingReducedToOneTokenIsGreedy()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var greedy = decoder.Generator.Generate(OnceUponATime.Prompt, new GenerationOptions { MaxNewTokens = 40 });
        var topK = decoder.Generator.Generate(OnceUponATime.Prompt, new GenerationOptions { MaxNewTokens = 40, DoSample = true, TopK = 1, Seed = 5 });
        var topP = decoder.Generator.Generate(OnceUponATime.Prompt, new GenerationOptions { MaxNewTokens = 40, DoSample = true, TopK = 0, TopP = 1e-6, Seed = 6 });
        CollectionAssert.AreEqual(greedy.GeneratedIds.ToArray(), topK.GeneratedIds.ToArray());
        CollectionAssert.AreEqual(greedy.GeneratedIds.ToArray(), topP.GeneratedIds.ToArray());
    }

    [TestMethod]
    public void StopTokenStopsAndStaysOutOfTheText()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        int[] sequence = OnceUponATime.SequenceIds;
        int prompt = OnceUponATime.PromptIds.Length;
        int stop = sequence[15];
        int firstAt = Array.IndexOf(sequence, stop, prompt);
        var result = decoder.Generator.Generate(OnceUponATime.Prompt, new GenerationOptions { MaxNewTokens = 90, StopTokenIds = new[] { stop } });

        Assert.AreEqual(GenerationStopReason.StopToken, result.StopReason);
        CollectionAssert.AreEqual(sequence[prompt..(firstAt + 1)], result.GeneratedIds.ToArray());
        string withoutStop = decoder.Tokenizer.Decode(sequence[..firstAt]);
        Assert.AreEqual(withoutStop, OnceUponATime.Prompt + result.Text);
    }

    [TestMethod]
    public void EndOfSequenceIdsStopUnlessDisabled()
    {
        using var model = Stories260KData.LoadModel();
        int eos = OnceUponATime.SequenceIds[10];
        var generator = new TextGenerator(model, Stories260KData.LoadTokenizer(), endOfSequenceIds: new[] { eos });
        var stopped = generator.Generate(OnceUponATime.Prompt, new GenerationOptions { MaxNewTokens = 50 });
        Assert.AreEqual(GenerationStopReason.StopToken, stopped.StopReason);
        Assert.AreEqual(eos, stopped.GeneratedIds[^1]);

        var ignored = generator.Generate(OnceUponATime.Prompt, new GenerationOptions { MaxNewTokens = 50, StopAtEndOfSequence = false });
        Assert.AreEqual(GenerationStopReason.MaxNewTokens, ignored.StopReason);
        Assert.HasCount(50, ignored.GeneratedIds);
    }

    [TestMethod]
    [DataRow("Lily")]
    [DataRow("little girl")]
    [DataRow("park. One")]
    public void StopStringStopsBeforeIt(string stop)
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var pieces = new List<string>();
        var result = decoder.Generator.Generate(OnceUponATime.Prompt, new GenerationOptions { MaxNewTokens = 90, StopStrings = new[] { "no such text", stop } }, pieces.Add);

        string continuation = OnceUponATime.SequenceText[OnceUponATime.Prompt.Length..];
        Assert.AreEqual(GenerationStopReason.StopString, result.StopReason);
        Assert.AreEqual(continuation[..continuation.IndexOf(stop, StringComparison.Ordinal)], result.Text);
        Assert.AreEqual(result.Text, string.Concat(pieces), "streamed pieces never show part of the stop string");
    }

    [TestMethod]
    public void CallbackPiecesConcatenateToTheText()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var pieces = new List<string>();
        var result = decoder.Generator.Generate("Tom had a 日本 toy", new GenerationOptions { MaxNewTokens = 60 }, pieces.Add);
        Assert.IsGreaterThan(10, pieces.Count);
        Assert.AreEqual(result.Text, string.Concat(pieces));
        Assert.AreEqual(decoder.Tokenizer.Decode(result.SequenceIds), "Tom had a 日本 toy" + result.Text);
    }

    [TestMethod]
    public async Task StreamAsyncYieldsTheSameText()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var options = new GenerationOptions { MaxNewTokens = 50 };
        var expected = decoder.Generator.Generate(OnceUponATime.Prompt, options);
        var pieces = new List<string>();
        await foreach (string piece in decoder.Generator.StreamAsync(OnceUponATime.Prompt, options))
            pieces.Add(piece);
        Assert.IsGreaterThan(1, pieces.Count);
        Assert.AreEqual(expected.Text, string.Concat(pieces));
    }

    [TestMethod]
    public async Task CancellationThrowsOperationCanceled()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var options = new GenerationOptions { MaxNewTokens = 90 };

        using var before = new CancellationTokenSource();
        before.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => decoder.Generator.Generate("Once", options, cancellationToken: before.Token));

        using var during = new CancellationTokenSource();
        int seen = 0;
        Assert.ThrowsExactly<OperationCanceledException>(() => decoder.Generator.Generate("Once", options, _ =>
        {
            if (++seen == 3)
                during.Cancel();
        }, during.Token));
        Assert.AreEqual(3, seen);

        using var streaming = new CancellationTokenSource();
        int streamed = 0;
        await Assert.ThrowsExactlyAsync<OperationCanceledException>(async () =>
        {
            await foreach (string piece in decoder.Generator.StreamAsync("Once", options, streaming.Token))
            {
                streamed++;
                streaming.Cancel();
            }
        });
        Assert.AreEqual(1, streamed);
    }

    [TestMethod]
    public void GenerationStopsAtMaxPositionEmbeddings()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var prompt = new[] { 1 }.Concat(Enumerable.Repeat(300, 508)).ToArray();
        var result = decoder.Generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 10, StopAtEndOfSequence = false });
        Assert.AreEqual(GenerationStopReason.MaxLength, result.StopReason);
        Assert.HasCount(3, result.GeneratedIds);
    }

    [TestMethod]
    public void InvalidOptionsAreRejected()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var invalid = new[]
        {
            new GenerationOptions { MaxNewTokens = 0 },
            new GenerationOptions { Temperature = 0 },
            new GenerationOptions { Temperature = double.NaN },
            new GenerationOptions { TopK = -1 },
            new GenerationOptions { TopP = 0 },
            new GenerationOptions { TopP = 1.5 },
            new GenerationOptions { StopStrings = new[] { "" } },
            new GenerationOptions { StopTokenIds = new[] { -1 } },
        };
        foreach (var options in invalid)
            Assert.Throws<ArgumentException>(() => decoder.Generator.Generate("Once", options), options.ToString());
        Assert.ThrowsExactly<ArgumentException>(() => decoder.Generator.Generate(Array.Empty<int>()));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => decoder.Generator.Generate(new[] { 1, 512 }));
    }
}
