using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

[TestClass]
public sealed class StructMaskTests
{
    /// <summary>P(f) by definition: rows and/or columns at multiples of f, plus the diagonal.</summary>
    private static SortedSet<long> Pattern(long rows, long columns, long stride, StructMaskAxes axes, bool withDiagonal = true)
    {
        var set = new SortedSet<long>();
        for (long r = 0; r < rows; r++)
        {
            for (long c = 0; c < columns; c++)
            {
                bool onRow = axes != StructMaskAxes.Columns && r % stride == 0;
                bool onColumn = axes != StructMaskAxes.Rows && c % stride == 0;
                if (onRow || onColumn || (withDiagonal && r == c))
                    set.Add(MaskAssert.Flat(r, c, columns));
            }
        }
        return set;
    }

    private static long[] Select(StructMask mask, long rows, long columns, long count, string path = "fc")
    {
        using var weight = zeros(rows, columns);
        return MaskAssert.Valid(mask.SelectIndices(path, weight, count), count, rows * columns);
    }

    [TestMethod]
    public void PatternSizeCountsTheUnionOfLinesAndDiagonal()
    {
        foreach (var (rows, columns) in new (long, long)[] { (7, 5), (5, 7), (6, 6), (1, 4), (9, 1), (12, 10) })
        {
            foreach (var axes in Enum.GetValues<StructMaskAxes>())
            {
                for (long stride = 1; stride <= Math.Max(rows, columns) + 1; stride++)
                {
                    Assert.AreEqual(Pattern(rows, columns, stride, axes).Count, StructMask.PatternSize(rows, columns, stride, axes),
                        $"[{rows}, {columns}] f={stride} {axes}");
                }
            }
        }
    }

    [TestMethod]
    public void StrideIsTheSmallestWhosePatternFits()
    {
        foreach (var axes in Enum.GetValues<StructMaskAxes>())
        {
            foreach (long count in new long[] { 5, 20, 28, 40, 57, 64, 99, 120 })
            {
                long stride = StructMask.StrideFor(12, 10, count, axes);
                Assert.IsTrue(StructMask.PatternSize(12, 10, stride, axes) <= count || stride == 12, $"{axes} count={count} f={stride}");
                for (long smaller = 1; smaller < stride; smaller++)
                    Assert.IsTrue(StructMask.PatternSize(12, 10, smaller, axes) > count, $"{axes} count={count}: f={smaller} also fits");
            }
        }
        Assert.AreEqual(1L, StructMask.StrideFor(12, 10, 120, StructMaskAxes.Both), "the whole matrix is f = 1");
        Assert.AreEqual(12L, StructMask.StrideFor(12, 10, 5, StructMaskAxes.Both), "nothing fits: the sparsest stride max(out, in)");
    }

    [TestMethod]
    [DataRow(StructMaskAxes.Both)]
    [DataRow(StructMaskAxes.Rows)]
    [DataRow(StructMaskAxes.Columns)]
    public void ABudgetEqualToThePatternGivesExactlyThePattern(StructMaskAxes axes)
    {
        // [12, 10], f = 4: rows and/or columns 0, 4, 8 and the diagonal (0,0)…(9,9).
        long count = StructMask.PatternSize(12, 10, 4, axes);
        Assert.AreEqual(4L, StructMask.StrideFor(12, 10, count, axes));
        var chosen = Select(new StructMask(3, axes), 12, 10, count);
        CollectionAssert.AreEqual(Pattern(12, 10, 4, axes).ToArray(), chosen);

        for (long d = 0; d < 10; d++)
            CollectionAssert.Contains(chosen, MaskAssert.Flat(d, d, 10), "diagonal");
        if (axes != StructMaskAxes.Columns)
            CollectionAssert.IsSubsetOf(Enumerable.Range(0, 10).Select(c => MaskAssert.Flat(8, c, 10)).ToArray(), chosen, "row 8");
        if (axes != StructMaskAxes.Rows)
            CollectionAssert.IsSubsetOf(Enumerable.Range(0, 12).Select(r => MaskAssert.Flat(r, 4, 10)).ToArray(), chosen, "column 4");
        if (axes == StructMaskAxes.Rows)
            CollectionAssert.DoesNotContain(chosen, MaskAssert.Flat(1, 4, 10), "no columns");
        if (axes == StructMaskAxes.Columns)
            CollectionAssert.DoesNotContain(chosen, MaskAssert.Flat(8, 1, 10), "no rows");
    }

    [TestMethod]
    public void ASlackBudgetKeepsThePatternAndFillsAtRandomUnderTheSeed()
    {
        long patternSize = StructMask.PatternSize(12, 10, 4, StructMaskAxes.Both);
        long count = patternSize + 5;
        Assert.AreEqual(4L, StructMask.StrideFor(12, 10, count, StructMaskAxes.Both));
        var pattern = Pattern(12, 10, 4, StructMaskAxes.Both);

        var chosen = Select(new StructMask(1), 12, 10, count);
        CollectionAssert.IsSubsetOf(pattern.ToArray(), chosen);
        Assert.AreEqual(5, chosen.Count(i => !pattern.Contains(i)));

        CollectionAssert.AreEqual(chosen, Select(new StructMask(1), 12, 10, count), "same seed, same mask");
        var fills = new HashSet<string>();
        for (int seed = 1; seed <= 5; seed++)
            fills.Add(string.Join(",", Select(new StructMask(seed), 12, 10, count).Where(i => !pattern.Contains(i))));
        fills.Add(string.Join(",", Select(new StructMask(1), 12, 10, count, "other.fc").Where(i => !pattern.Contains(i))));
        Assert.IsTrue(fills.Count >= 5, "seed and module path choose the fill");
    }

    [TestMethod]
    public void ABudgetBelowTheSparsestPatternKeepsTheDiagonalFirst()
    {
        // [10, 10]: the sparsest pattern is row 0, column 0 and the diagonal, 28 entries.
        Assert.AreEqual(28L, StructMask.PatternSize(10, 10, 10, StructMaskAxes.Both));
        var diagonal = Enumerable.Range(0, 10).Select(d => MaskAssert.Flat(d, d, 10)).ToArray();
        var lines = Pattern(10, 10, 10, StructMaskAxes.Both, withDiagonal: false);

        var chosen = Select(new StructMask(4), 10, 10, 15);
        CollectionAssert.IsSubsetOf(diagonal, chosen);
        Assert.IsTrue(chosen.Except(diagonal).All(lines.Contains), "the other 5 come from row 0 / column 0");

        var partOfDiagonal = Select(new StructMask(4), 10, 10, 6);
        CollectionAssert.IsSubsetOf(partOfDiagonal, diagonal);
    }

    [TestMethod]
    public void TheMaskDependsOnTheShapeNotOnTheWeight()
    {
        var mask = new StructMask(8);
        using var a = randn(9, 14);
        using var b = randn(9, 14, dtype: ScalarType.Float64);
        CollectionAssert.AreEqual(MaskAssert.Valid(mask.SelectIndices("fc", a, 30), 30, 126), MaskAssert.Valid(mask.SelectIndices("fc", b, 30), 30, 126));
    }

    [TestMethod]
    public void ShapeAndStrideArgumentsAreChecked()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StructMask.PatternSize(0, 3, 1, StructMaskAxes.Both));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StructMask.PatternSize(3, 3, 0, StructMaskAxes.Both));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StructMask.StrideFor(3, -1, 2, StructMaskAxes.Rows));
    }
}
