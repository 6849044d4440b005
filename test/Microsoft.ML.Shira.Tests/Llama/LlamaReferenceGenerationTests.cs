using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Decoding;

namespace Microsoft.ML.Shira.Tests.Llama;

/// <summary>The key check: greedy decoding reproduces llama2.c run.c's output on stories260K id for id.</summary>
[TestClass]
public sealed class LlamaReferenceGenerationTests
{
    [TestMethod]
    [DynamicData(nameof(Stories260KData.ReferenceCaseData), typeof(Stories260KData))]
    public void GreedyGenerationReproducesEveryReferenceId(ReferenceCase reference)
    {
        using var decoder = PretrainedDecoders.Stories260K();
        int newTokens = reference.SequenceIds.Length - reference.PromptIds.Length;
        var result = decoder.Generator.Generate(reference.Prompt, new GenerationOptions { MaxNewTokens = newTokens });

        CollectionAssert.AreEqual(reference.PromptIds, result.PromptIds.ToArray());
        Assert.HasCount(newTokens, result.GeneratedIds);
        var sequence = result.SequenceIds;
        for (int i = 0; i < reference.SequenceIds.Length; i++)
            Assert.AreEqual(reference.SequenceIds[i], sequence[i], $"position {i} of \"{reference.Prompt}\"");
        Assert.AreEqual(GenerationStopReason.MaxNewTokens, result.StopReason);
        Assert.AreEqual(reference.SequenceText, reference.Prompt + result.Text);
    }

    [TestMethod]
    public void FolderAndEmbeddedModelsGenerateTheSame()
    {
        var reference = Stories260KData.ReferenceCases[0];
        using var embedded = PretrainedDecoders.Stories260K();
        using var folder = PretrainedDecoders.Load(Stories260KData.Folder);
        var options = new GenerationOptions { MaxNewTokens = 40 };
        CollectionAssert.AreEqual(
            embedded.Generator.Generate(reference.Prompt, options).GeneratedIds.ToArray(),
            folder.Generator.Generate(reference.Prompt, options).GeneratedIds.ToArray());
        CollectionAssert.AreEquivalent(new[] { 1, 2 }, embedded.EndOfSequenceIds.ToArray());
        CollectionAssert.AreEqual(new[] { 2 }, folder.EndOfSequenceIds.ToArray());
    }
}
