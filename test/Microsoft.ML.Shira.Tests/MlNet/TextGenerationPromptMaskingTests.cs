using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.TextGeneration;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// Prompt/response training counts only the response tokens: the first step's loss (computed by the base model, since
/// the adapter starts at zero) and the perplexity equal a by-hand next-token loss over the response tokens (EOS
/// included), and clearly differ from the loss over every token.
/// </summary>
[TestClass]
public sealed class TextGenerationPromptMaskingTests
{
    private sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    private sealed class PromptGeneratedRow
    {
        public string Prompt { get; set; } = "";

        public string GeneratedText { get; set; } = "";
    }

    private static readonly PromptResponseRow[] Pairs =
    [
        new() { Prompt = "KING RICHARD II:\nWhat says the king?", Response = "The dog ran to the park and played with the ball." },
        new() { Prompt = "Question: who went to the park with Tom?\nAnswer:", Response = "Lily went to the park with Tom." },
        new() { Prompt = "", Response = "Once upon a time, there was a little cat." },
        new() { Prompt = "MENENIUS:\nEither you must confess yourselves wondrous malicious,\nOr be accused of folly.", Response = "She was happy." },
    ];

    [TestMethod]
    public void TrainingLossAndPerplexityCountOnlyResponseTokens()
    {
        var (responseLoss, allLoss) = ByHand();
        var ml = new MLContext(seed: 1);
        var progress = new TestProgress<ShiraTextGenerationProgress>();
        var options = new ShiraTextGenerationOptions
        {
            PromptColumnName = nameof(PromptResponseRow.Prompt),
            ResponseColumnName = nameof(PromptResponseRow.Response),
            Epochs = 1,
            BatchSize = Pairs.Length,
            NumberOfThreads = 1,
            Seed = 3,
            Progress = progress,
        };
        var data = ml.Data.LoadFromEnumerable(Pairs);
        using var model = ml.Shira().Train(data, options);

        double firstStep = progress.Items[0].Loss;
        Console.WriteLine($"First step loss {firstStep:F5}; by hand: response tokens {responseLoss:F5}, all tokens {allLoss:F5}.");
        Assert.AreEqual(responseLoss, firstStep, 1e-4, "The first step's loss is the base model's mean loss over the response tokens only.");
        Assert.IsGreaterThan(0.2, Math.Abs(allLoss - responseLoss), "Counting the prompt tokens would give a clearly different loss.");
        Assert.IsTrue(model.AppendsEndOfSequence, "Prompt/response training ends responses with EOS by default.");

        model.SwitchToBaseModel();
        Assert.AreEqual(Math.Exp(responseLoss), model.Perplexity(data), 1e-4 * Math.Exp(responseLoss), "Perplexity counts the response tokens only.");

        // At inference the transformer reads prompts from the prompt column; responses are not needed.
        Assert.AreEqual("Prompt", model.PromptColumnName);
        var prompts = ml.Data.LoadFromEnumerable(new[] { new PromptRow { Prompt = Pairs[1].Prompt } });
        var generated = ml.Data.CreateEnumerable<PromptGeneratedRow>(model.Transform(prompts), reuseRowObject: false).Single();
        Assert.AreEqual(model.Generate(Pairs[1].Prompt).Text, generated.GeneratedText);
    }

    [TestMethod]
    public void PairsWithoutResponseHaveNothingToLearn()
    {
        // Prompt tokens are context only: a pair whose response is blank has no target token and is skipped, so data made
        // only of such pairs is an error (the same text as a plain-text row would be trained on).
        var ml = new MLContext(seed: 1);
        var onlyPrompts = ml.Data.LoadFromEnumerable(new[] { new PromptResponseRow { Prompt = "ROMEO:\nIs the day so young?", Response = " " } });
        var options = new ShiraTextGenerationOptions { PromptColumnName = "Prompt", ResponseColumnName = "Response", NumberOfThreads = 1 };

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Shira().Train(onlyPrompts, options));
        StringAssert.Contains(error.Message, "nothing to learn");
        StringAssert.Contains(error.Message, "'Response'");
    }

    /// <summary>Mean next-token loss of the base model over the response tokens, and over every token after BOS.</summary>
    private static (double Response, double All) ByHand()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var tokenizer = decoder.Tokenizer;
        double responseSum = 0, allSum = 0;
        long responseCount = 0, allCount = 0;
        using var noGrad = no_grad();
        foreach (var pair in Pairs)
        {
            var prompt = tokenizer.Encode(pair.Prompt, addBos: true).ToList();
            var response = tokenizer.Encode(pair.Response, addBos: false).ToList();
            response.Add(tokenizer.EosTokenId!.Value);
            long[] ids = prompt.Concat(response).Select(i => (long)i).ToArray();
            using var scope = NewDisposeScope();
            var logProbabilities = nn.functional.log_softmax(decoder.Model.Forward(tensor(ids).unsqueeze(0))[0], 1);
            for (int t = 1; t < ids.Length; t++)
            {
                double loss = -logProbabilities[t - 1, ids[t]].item<float>();
                allSum += loss;
                allCount++;
                if (t >= prompt.Count)
                {
                    responseSum += loss;
                    responseCount++;
                }
            }
        }
        return (responseSum / responseCount, allSum / allCount);
    }
}
