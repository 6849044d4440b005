using TorchSharp;
namespace Microsoft.ML.Shira.Tests;

[TestClass]
public sealed class SmokeTests
{
    [TestMethod]
    public void TorchSharpCreatesTensor()
    {
        using var t = torch.ones(2, 3);
        Assert.AreEqual(6.0f, t.sum().item<float>());
    }
}
