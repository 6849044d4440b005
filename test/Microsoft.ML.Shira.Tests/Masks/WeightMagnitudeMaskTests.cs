using Microsoft.ML.Shira.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

[TestClass]
public sealed class WeightMagnitudeMaskTests
{
    [TestMethod]
    public void ChoosesThePlantedLargestMagnitudes()
    {
        using var scope = NewDisposeScope();
        var weight = rand([20, 30], generator: new Generator(11, CPU)).sub_(0.5);   // |w| < 0.5
        var planted = new long[] { 3, 47, 100, 250, 599 };
        var values = new float[] { 2f, -3f, 1.5f, -0.75f, 9f };                        // signs must not matter
        var flat = weight.view(-1);
        for (int i = 0; i < planted.Length; i++)
            flat[planted[i]].fill_(values[i]);

        var chosen = MaskAssert.Valid(new WeightMagnitudeMask().SelectIndices("fc", weight, planted.Length), planted.Length, 600);
        CollectionAssert.AreEqual(planted, chosen);
    }

    [TestMethod]
    public void AgreesWithASortOfTheMagnitudes()
    {
        using var scope = NewDisposeScope();
        var weight = randn([17, 13], generator: new Generator(5, CPU));
        var magnitudes = weight.abs().view(-1).data<float>().ToArray();
        var expected = Enumerable.Range(0, magnitudes.Length)
            .OrderByDescending(i => magnitudes[i]).ThenBy(i => i)
            .Take(50).Select(i => (long)i).Order().ToArray();
        CollectionAssert.AreEqual(expected, MaskAssert.Valid(new WeightMagnitudeMask().SelectIndices("fc", weight, 50), 50, 221));
    }

    [TestMethod]
    public void TiesAreBrokenByLowerPosition()
    {
        // Two strictly larger entries, then eight entries tied at 1.0; 5 places: both large ones plus the first 3 ties.
        using var weight = tensor(new float[] { 0, 1, 0, -1, 5, 1, 1, 0, 1, -1, 1, 7, 1, 0, 0, 0 }).reshape(4, 4);
        var chosen = MaskAssert.Valid(new WeightMagnitudeMask().SelectIndices("fc", weight, 5), 5, 16);
        CollectionAssert.AreEqual(new long[] { 1, 3, 4, 5, 11 }, chosen);

        using var constant = full(3, 5, 0.25f);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3 }, MaskAssert.Valid(new WeightMagnitudeMask().SelectIndices("fc", constant, 4), 4, 15));
    }

    [TestMethod]
    public void LeavesTheWeightUntouched()
    {
        using var weight = randn(6, 9);
        using var before = weight.clone();
        MaskAssert.Valid(new WeightMagnitudeMask().SelectIndices("fc", weight, 10), 10, 54);
        MaskAssert.BitwiseEqual(before, weight);
    }
}
