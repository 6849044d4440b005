using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Text;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Bert;

/// <summary>
/// Runs the embedded all-MiniLM-L6-v2 ONNX file with ONNX Runtime (the reference) and the imported TorchSharp encoder
/// on the same token ids, and compares mean-pooled sentence embeddings.
/// </summary>
[TestClass]
public sealed class OnnxRuntimeReferenceTests
{
    private const float Tolerance = 1e-4f;

    private static readonly string[] Sentences =
    [
        "hello world",
        "The quick brown fox jumps over the lazy dog.",
        "A man is playing a guitar on stage while the crowd sings along to every single word of the chorus.",
        "Sparse high-rank adapters fine-tune only a tiny fraction of a model's weights, yet switch in milliseconds.",
        "Café naïve résumé: accents, punctuation?! (brackets) and numbers like 12345 or 3.14159.",
        "OK",
        string.Join(" ", Enumerable.Repeat("Tokenization splits unfamiliar words such as hyperparameterization into word pieces.", 6)),
    ];

    private static InferenceSession? _session;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void CreateSession(TestContext context)
    {
        _session = new InferenceSession(MiniLmFixture.OnnxBytes);
    }

    [ClassCleanup]
    public static void DisposeSession() => _session?.Dispose();

    [TestMethod]
    public void MeanPooledEmbeddingsMatchOnnxRuntimeForPaddedBatch()
    {
        var batch = MiniLmFixture.Encoder.Tokenizer.Encode(Sentences);
        Assert.IsGreaterThan(60, batch.SequenceLength);
        Assert.AreEqual(3, batch.Lengths.Min());
        float diff = MaxPooledDifference(batch);
        TestContext.WriteLine($"padded batch of {batch.BatchSize}×{batch.SequenceLength}: max |Δ| = {diff:E3}");
        Assert.IsLessThanOrEqualTo(Tolerance, diff);
    }

    [TestMethod]
    public void MeanPooledEmbeddingsMatchOnnxRuntimeOneByOne()
    {
        float worst = 0;
        foreach (var sentence in Sentences)
            worst = Math.Max(worst, MaxPooledDifference(MiniLmFixture.Encoder.Tokenizer.Encode([sentence])));
        TestContext.WriteLine($"single sentences: max |Δ| = {worst:E3}");
        Assert.IsLessThanOrEqualTo(Tolerance, worst);
    }

    [TestMethod]
    public void MeanPooledEmbeddingsMatchOnnxRuntimeForSentencePairs()
    {
        var batch = MiniLmFixture.Encoder.Tokenizer.EncodePairs(
        [
            ("How old are you?", "What is your age?"),
            ("The cat sat on the mat.", "A feline rested on a rug in the sunny living room all afternoon."),
        ]);
        Assert.Contains(1L, batch.TokenTypeIds);
        float diff = MaxPooledDifference(batch);
        TestContext.WriteLine($"pairs: max |Δ| = {diff:E3}");
        Assert.IsLessThanOrEqualTo(Tolerance, diff);
    }

    [TestMethod]
    public void ParaphrasesAreCloserThanUnrelatedSentences()
    {
        using var scope = NewDisposeScope();
        var embeddings = MiniLmFixture.Encoder.Embed(
        [
            "A man is playing a guitar.",
            "Someone is strumming an acoustic guitar.",
            "The stock market fell sharply on Tuesday.",
        ]);
        float paraphrase = (embeddings[0] * embeddings[1]).sum().item<float>();
        float unrelated = (embeddings[0] * embeddings[2]).sum().item<float>();
        TestContext.WriteLine($"cosine paraphrase = {paraphrase:F3}, unrelated = {unrelated:F3}");
        Assert.IsGreaterThan(unrelated + 0.3f, paraphrase);
        Assert.AreEqual(1f, embeddings[2].norm().item<float>(), 1e-5f);
    }

    /// <summary>Max |ours − ORT| over the mean-pooled embeddings of a batch.</summary>
    private static float MaxPooledDifference(TokenizedBatch batch)
    {
        float[] reference = OnnxRuntimePooled(batch);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var inputs = batch.ToTensors();
        var hidden = MiniLmFixture.Encoder.Bert.call(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds);
        var ours = SentencePooling.Mean(hidden, inputs.AttentionMask);
        var expected = tensor(reference, ours.shape);
        return (ours - expected).abs().max().item<float>();
    }

    /// <summary>ORT's <c>last_hidden_state</c>, mean-pooled over the attention mask in plain C#.</summary>
    private static float[] OnnxRuntimePooled(TokenizedBatch batch)
    {
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds.ToArray(), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask.ToArray(), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds.ToArray(), shape);
        using var runOptions = new RunOptions();
        using var outputs = _session!.Run(runOptions,
            ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], ["last_hidden_state"]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var hiddenShape = outputs[0].GetTensorTypeAndShape().Shape;
        int width = (int)hiddenShape[2];
        Assert.AreEqual(384, width);

        var pooled = new float[batch.BatchSize * width];
        for (int b = 0; b < batch.BatchSize; b++)
        {
            float count = 0;
            for (int t = 0; t < batch.SequenceLength; t++)
            {
                float m = batch.AttentionMask[b * batch.SequenceLength + t];
                count += m;
                var row = hidden.Slice((b * batch.SequenceLength + t) * width, width);
                for (int d = 0; d < width; d++)
                    pooled[b * width + d] += row[d] * m;
            }
            for (int d = 0; d < width; d++)
                pooled[b * width + d] /= Math.Max(count, 1e-9f);
        }
        return pooled;
    }
}
