namespace Microsoft.ML.Shira.Tests.Benchmarks;

[TestClass]
public sealed class NaturalComparerTests
{
    [TestMethod]
    public void ComparesDigitRunsAsNumbers() =>
        CollectionAssert.AreEqual(
            new[] { "Batch=2", "Batch=10", "Shape=384x384", "Shape=1536x384", "Shape=4096x4096" },
            new[] { "Shape=4096x4096", "Batch=10", "Shape=1536x384", "Batch=2", "Shape=384x384" }.Order(NaturalComparer.Instance).ToArray());
}
