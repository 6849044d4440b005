using Microsoft.ML.Shira.Decoding;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>GenerationOptions are ML.NET-style public fields; a transformer keeps its own checked copy.</summary>
[TestClass]
public sealed class GenerationOptionsTests
{
    [TestMethod]
    public void TheTransformerStoresAndReturnsCopies()
    {
        var trained = TrainedShakespeareModel.Get();
        lock (TrainedShakespeareModel.Lock)
        {
            var model = trained.Model;
            var original = model.Generation;
            try
            {
                var options = new GenerationOptions { MaxNewTokens = 5, StopStrings = ["\n"] };
                model.Generation = options;
                options.MaxNewTokens = 50;
                options.StopStrings.Add("x");
                Assert.AreEqual(5, model.Generation.MaxNewTokens, "Changing the options object afterwards does not reach the transformer.");
                CollectionAssert.AreEqual(new[] { "\n" }, model.Generation.StopStrings.ToArray());

                var read = model.Generation;
                read.MaxNewTokens = 1;
                Assert.AreEqual(5, model.Generation.MaxNewTokens, "The getter returns a copy.");
                Assert.AreEqual(new GenerationOptions { MaxNewTokens = 5, StopStrings = ["\n"] }, model.Generation, "Equality compares the stop lists element by element.");
                Assert.AreNotEqual(new GenerationOptions { MaxNewTokens = 5, StopStrings = ["\r"] }, model.Generation);
            }
            finally
            {
                model.Generation = original;
            }
        }
    }

    [TestMethod]
    public void InvalidOptionsAreRefusedNamingTheField()
    {
        var model = TrainedShakespeareModel.Get().Model;
        var setError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generation = new GenerationOptions { TopP = 0 });
        Assert.AreEqual(nameof(GenerationOptions.TopP), setError.ParamName);
        var generateError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate("ROMEO:", new GenerationOptions { MaxNewTokens = 0 }));
        Assert.AreEqual(nameof(GenerationOptions.MaxNewTokens), generateError.ParamName);
        var nullList = Assert.ThrowsExactly<ArgumentException>(() => model.Generation = new GenerationOptions { StopStrings = null! });
        Assert.AreEqual(nameof(GenerationOptions.StopStrings), nullList.ParamName);
    }
}
