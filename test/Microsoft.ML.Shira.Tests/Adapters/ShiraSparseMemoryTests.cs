using System.Runtime.InteropServices;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
using TorchSharp;
using static Microsoft.ML.Shira.Tests.Adapters.ShiraSparseGradientTests;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

/// <summary>
/// The memory-saving parts of the sparse SHiRA backward: the saved input is freed by the backward itself, one buffer
/// serves the kernel and the effective weight, and none of it changes a single bit of the gradients.
/// </summary>
[TestClass]
public sealed class ShiraSparseMemoryTests
{
    [TestMethod]
    public void SavedTensorReleaseWorksWithThisTorchSharp() =>
        Assert.IsTrue(SavedTensorRelease.Supported, "TorchSharp's AutogradContext no longer has the private saved-variable list; the sparse path would keep every input until the graph is disposed.");

    [TestMethod]
    public void BackwardFreesTheSavedInputBeforeTheGraphIsDisposed()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("Live native memory is read from glibc's mallinfo2.");
        using var scope = NewDisposeScope();
        var (layer, _) = LayerPair(inFeatures: 512, outFeatures: 4, k: 16, alpha: 1.0, ScalarType.Float32, new Generator(3));
        layer.FreeInputAfterBackward = true;
        var x = randn(8192, 512);
        long inputBytes = x.numel() * sizeof(float);
        var loss = layer.call(x).sum();
        x.Dispose(); // From here on, only the graph holds the 16 MiB input.

        long before = LiveNativeBytes();
        loss.backward();
        long after = LiveNativeBytes();

        Assert.IsNotNull(layer.Values.grad);
        Assert.IsTrue(before - after > inputBytes * 3 / 4, $"The backward freed {(before - after) / 1048576.0:F1} MiB; the saved input alone is {inputBytes / 1048576.0:F1} MiB.");
    }

    [TestMethod]
    public void WithoutFreeingTheGraphCanBeBackpropagatedTwiceWithTheSameGradients()
    {
        using var scope = NewDisposeScope();
        var (layer, _) = LayerPair(inFeatures: 24, outFeatures: 16, k: 30, alpha: 1.0, ScalarType.Float64, new Generator(5));
        Assert.IsFalse(layer.FreeInputAfterBackward, "Off by default: retain_graph must keep working for users' own loops.");
        var x = randn(new long[] { 6, 24 }, dtype: ScalarType.Float64, generator: new Generator(6));
        var loss = layer.call(x).pow(2).sum();

        loss.backward(retain_graph: true);
        var first = layer.Values.grad!.clone();
        loss.backward();

        Assert.IsTrue(layer.Values.grad!.eq(first * 2).all().item<bool>(), "The second backward accumulates the same value gradient again.");
    }

    [TestMethod]
    public void TrainerInjectionFreesInputsAndPlainInjectionDoesNot()
    {
        using var model = nn.Sequential(("proj", nn.Linear(8, 8)));
        var plain = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = ["proj"] }, new RandomMask(1));
        Assert.IsFalse(plain.Layers.Single().Layer.FreeInputAfterBackward);
        plain.Unload();
        var freeing = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = ["proj"], FreeInputAfterBackward = true }, new RandomMask(1));
        Assert.IsTrue(freeing.Layers.Single().Layer.FreeInputAfterBackward);
    }

    [TestMethod]
    [DataRow(ScalarType.Float32, 5L, 0L, DisplayName = "float32, 15 tokens, automatic chunk: buffer sized by the weight")]
    [DataRow(ScalarType.Float32, 37L, 50L, DisplayName = "float32, 111 tokens, 50-token chunks: buffer sized by the kernel")]
    [DataRow(ScalarType.Float64, 37L, 7L, DisplayName = "float64, 111 tokens, 7-token chunks")]
    public void GradientsAreBitIdenticalToTheStraightforwardComputation(ScalarType dtype, long sequence, long chunk)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(12);
        const double alpha = 0.7;
        var (layer, _) = LayerPair(inFeatures: 48, outFeatures: 40, k: 90, alpha, dtype, generator);
        layer.GradientChunkTokens = chunk;
        var x = randn(new long[] { 3, sequence, 48 }, dtype: dtype, generator: generator);
        var upstream = randn(new long[] { 3, sequence, 40 }, dtype: dtype, generator: generator);

        var (_, valueGrad, inputGrad) = Gradients(layer, x, upstream);

        using var noGrad = no_grad();
        var expectedInput = upstream.matmul(layer.EffectiveWeight());
        var entries = ShiraPositions.FromTensor(layer.FlatIndices, 48);
        var expectedValues = SampledDotKernel.Compute(upstream.reshape(-1, 40), x.reshape(-1, 48), entries, chunk).mul_(alpha);
        Assert.IsTrue(Same(inputGrad, expectedInput), "Input gradient differs from g·W_eff.");
        Assert.IsTrue(Same(valueGrad, expectedValues), "Value gradient differs from the kernel run on its own.");
    }

    [TestMethod]
    public void KernelGivesTheSameBitsWithAReusedDirtyScratchBuffer()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(40);
        var flat = randperm(30 * 20, generator: generator).narrow(0, 0, 45);
        var entries = ShiraPositions.FromTensor(flat, 20);
        var g = randn(new long[] { 33, 30 }, generator: generator);
        var x = randn(new long[] { 33, 20 }, generator: generator);
        var fresh = SampledDotKernel.Compute(g, x, entries, 8);
        var dirty = full(SampledDotKernel.ScratchElements(33, 30, 20, 8) + 100, float.NaN);
        Assert.IsTrue(Same(SampledDotKernel.Compute(g, x, entries, 8, dirty), fresh));
        var tooSmall = full(3, float.NaN);
        Assert.IsTrue(Same(SampledDotKernel.Compute(g, x, entries, 8, tooSmall), fresh), "A scratch buffer that is too small is ignored.");
    }

    [TestMethod]
    public void EntriesSplitPositionsAndSortThem()
    {
        using var scope = NewDisposeScope();
        var entries = ShiraPositions.FromTensor(tensor(new long[] { 13, 2, 7, 30 }), 6);
        CollectionAssert.AreEqual(new[] { 2, 0, 1, 5 }, entries.Rows);
        CollectionAssert.AreEqual(new[] { 1, 2, 1, 0 }, entries.Cols);
        CollectionAssert.AreEqual(new[] { 1, 2, 0, 3 }, entries.Order);
        Assert.AreEqual(0, ShiraPositions.FromTensor(zeros(0, dtype: ScalarType.Int64), 6).Count);
    }

    /// <summary>Same dtype, shape and bytes.</summary>
    private static bool Same(Tensor actual, Tensor expected)
    {
        if (actual.dtype != expected.dtype || !actual.shape.SequenceEqual(expected.shape))
            return false;
        using Tensor a = actual.contiguous(), b = expected.contiguous();
        return a.bytes.SequenceEqual(b.bytes);
    }

    /// <summary>Bytes glibc's malloc has handed out and not taken back (heap plus mmapped blocks).</summary>
    private static long LiveNativeBytes()
    {
        var info = MallInfo2();
        return (long)(info.Uordblks + info.Hblkhd);
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallocInfo MallInfo2();

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallocInfo
    {
        public readonly nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }
}
