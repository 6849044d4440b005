using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.Shira.Runtime.Native;
using TorchSharp;

namespace Microsoft.ML.Shira.Tests.Runtime;

/// <summary>
/// Loading libtorch from a folder (<see cref="ShiraRuntime.UseLibTorchFrom"/>, SHIRA_LIBTORCH_DIR) and the diagnostics.
/// TorchSharp initialises once per process, so the successful loads run in a child process: the GPU checks app, built
/// without a backend package, pointed at the CPU libtorch folder this test host loaded.
/// </summary>
[TestClass]
public sealed class ShiraRuntimeTests
{
    [TestMethod]
    public void AMissingFolderIsRefusedByName()
    {
        string folder = Path.Combine(Path.GetTempPath(), "shira-no-such-libtorch-" + Guid.NewGuid().ToString("N"));
        var error = Assert.ThrowsExactly<DirectoryNotFoundException>(() => ShiraRuntime.UseLibTorchFrom(folder));
        StringAssert.Contains(error.Message, folder);
        StringAssert.Contains(error.Message, "torch/lib", "The message says where a PyTorch install keeps libtorch.");
    }

    [TestMethod]
    public void AFolderWithoutLibTorchIsRefusedNamingTheMissingLibrary()
    {
        string folder = TestPaths.NewTempDirectory();
        try
        {
            var error = Assert.ThrowsExactly<DllNotFoundException>(() => ShiraRuntime.UseLibTorchFrom(folder));
            StringAssert.Contains(error.Message, folder);
            StringAssert.Contains(error.Message, "libc10.so");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AnotherFolderAfterTorchSharpInitialisedIsRefusedNamingBoth()
    {
        _ = torch.cuda.is_available(); // TorchSharp is initialised from this test host's own backend.
        string loaded = Path.GetDirectoryName(LoadedLibraries.Find("libtorch_cpu.so"))!;
        string folder = TestPaths.NewTempDirectory();
        try
        {
            foreach (string name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
                File.WriteAllBytes(Path.Combine(folder, name), []); // never opened: the refusal comes first
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => ShiraRuntime.UseLibTorchFrom(folder));
            StringAssert.Contains(error.Message, folder);
            StringAssert.Contains(error.Message, loaded);

            ShiraRuntime.UseLibTorchFrom(loaded); // the folder already loaded: nothing to do
            Assert.AreEqual(loaded, ShiraRuntime.LibTorchDirectory);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void DescribeReportsVersionsFolderCudaAndTheNativeFix()
    {
        var info = ShiraRuntime.Describe();
        Assert.AreEqual("0.107.0", info.TorchSharpVersion);
        Assert.AreEqual("2.10.0.0", info.TorchSharpLibTorchVersion);
        StringAssert.StartsWith(info.LibTorchVersion, "2.10.0 (NuGet package libtorch-cpu-linux-x64");
        Assert.AreEqual(Path.GetDirectoryName(LoadedLibraries.Find("libtorch_cpu.so")), info.LibTorchDirectory);
        Assert.IsFalse(info.CudaAvailable, "No GPU on CI.");
        Assert.AreEqual(0, info.CudaDeviceCount);
        Assert.IsEmpty(info.CudaDevices);
        // This machine's libstdc++ decides which: Debian 12 lacks GLIBCXX_3.4.32, so the fix must be applied there.
        string? libstdcxx = LoadedLibraries.Find("libstdc++.so.6");
        if (libstdcxx is not null && !GlibcxxRequirement.Provides(libstdcxx))
            StringAssert.StartsWith(info.NativeFix, "applied (GLIBCXX_3.4.32 requirement marked weak in ");
        else
            StringAssert.Contains(info.NativeFix, "not needed");
        string text = info.ToString();
        StringAssert.Contains(text, "CUDA available        no");
        StringAssert.Contains(text, "libtorch folder       " + info.LibTorchDirectory);
    }

    [TestMethod]
    public void AnAppWithoutABackendRunsOnTheLibTorchOfAFolder()
    {
        string folder = Path.GetDirectoryName(LoadedLibraries.Find("libtorch_cpu.so") ?? LoadTorch())!;
        var (exit, output, error) = RunChecksApp(["--libtorch", folder, "diagnostics"]);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, $"libtorch folder       {folder} (chosen by ShiraRuntime/SHIRA_LIBTORCH_DIR)");
        StringAssert.Contains(output, "CUDA available        no");
        Assert.IsFalse(File.Exists(Path.Combine(ChecksAppDirectory, "libtorch_cpu.so")), "The app carries no libtorch of its own.");
    }

    [TestMethod]
    public void TheEnvironmentVariableIsHonouredAndItsFailureNamesTheFolder()
    {
        string folder = Path.GetDirectoryName(LoadedLibraries.Find("libtorch_cpu.so") ?? LoadTorch())!;
        var (exit, output, error) = RunChecksApp(["diagnostics"], folder);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, $"libtorch folder       {folder} (chosen by ShiraRuntime/SHIRA_LIBTORCH_DIR)");

        string missing = Path.Combine(Path.GetTempPath(), "shira-no-such-libtorch-" + Guid.NewGuid().ToString("N"));
        (exit, _, error) = RunChecksApp(["diagnostics"], missing);
        Assert.AreEqual(3, exit);
        StringAssert.Contains(error, $"The libtorch folder '{missing}' does not exist");
    }

    [TestMethod]
    [DataRow("backend:cudaMallocAsync", nameof(CudaAllocatorBackend.Kind.CudaMallocAsync))]
    [DataRow(" backend : cudaMallocAsync ", nameof(CudaAllocatorBackend.Kind.CudaMallocAsync), DisplayName = "white space is dropped, as libtorch's tokenizer drops it")]
    [DataRow("expandable_segments:True,backend:cudaMallocAsync", nameof(CudaAllocatorBackend.Kind.CudaMallocAsync))]
    [DataRow("backend:cudaMallocAsync,roundup_power2_divisions:[256:1,>:2],release_lock_on_cudamalloc:True", nameof(CudaAllocatorBackend.Kind.CudaMallocAsync))]
    [DataRow("backend:cudaMallocAsync,", nameof(CudaAllocatorBackend.Kind.CudaMallocAsync), DisplayName = "a trailing comma is accepted")]
    [DataRow("backend:native", nameof(CudaAllocatorBackend.Kind.Native))]
    [DataRow("expandable_segments:True", nameof(CudaAllocatorBackend.Kind.Native), DisplayName = "no backend key: the caching allocator")]
    [DataRow("", nameof(CudaAllocatorBackend.Kind.Native))]
    [DataRow("backend:async", nameof(CudaAllocatorBackend.Kind.Unknown), DisplayName = "a value libtorch 2.10 refuses")]
    [DataRow("backend:cudamallocasync", nameof(CudaAllocatorBackend.Kind.Unknown), DisplayName = "values are case-sensitive")]
    [DataRow("backend=cudaMallocAsync", nameof(CudaAllocatorBackend.Kind.Unknown))]
    [DataRow("backend:cudaMallocAsync;expandable_segments:True", nameof(CudaAllocatorBackend.Kind.Unknown))]
    [DataRow("backend:", nameof(CudaAllocatorBackend.Kind.Unknown))]
    [DataRow("roundup_power2_divisions:[256:1,backend:cudaMallocAsync", nameof(CudaAllocatorBackend.Kind.Unknown), DisplayName = "an unclosed list")]
    public void TheAllocatorSettingIsParsedAsLibTorchParsesIt(string value, string expected) =>
        Assert.AreEqual(expected, CudaAllocatorBackend.Parse(value).ToString(), value);

    [TestMethod]
    public void TheAsyncBackendIsClaimedOnlyWhenEverySetVariableSelectsIt()
    {
        static CudaAllocatorBackend.Kind Backend(string? primary, string? cuda) =>
            CudaAllocatorBackend.From(name => name switch
            {
                "PYTORCH_ALLOC_CONF" => primary,
                "PYTORCH_CUDA_ALLOC_CONF" => cuda,
                _ => throw new AssertFailedException($"Unexpected variable {name}."),
            }).Kind;

        Assert.AreEqual(CudaAllocatorBackend.Kind.Native, Backend(null, null), "Unset: the caching allocator.");
        Assert.AreEqual(CudaAllocatorBackend.Kind.CudaMallocAsync, Backend(null, "backend:cudaMallocAsync"));
        Assert.AreEqual(CudaAllocatorBackend.Kind.CudaMallocAsync, Backend("backend:cudaMallocAsync", null));
        Assert.AreEqual(CudaAllocatorBackend.Kind.CudaMallocAsync, Backend("backend:cudaMallocAsync", "expandable_segments:False,backend:cudaMallocAsync"));
        Assert.AreEqual(CudaAllocatorBackend.Kind.Native, Backend("backend:native", "expandable_segments:True"));
        Assert.AreEqual(CudaAllocatorBackend.Kind.Unknown, Backend("expandable_segments:True", "backend:cudaMallocAsync"),
            "PyTorch revisions differ on which variable wins, so disagreeing variables claim nothing.");
        Assert.AreEqual(CudaAllocatorBackend.Kind.Unknown, Backend("", "backend:cudaMallocAsync"), "Set but empty is set (c10::utils::get_env).");
        var (kind, reason) = CudaAllocatorBackend.From(name => name == "PYTORCH_CUDA_ALLOC_CONF" ? "backend:cudaMallocAsync" : null);
        Assert.AreEqual(CudaAllocatorBackend.Kind.CudaMallocAsync, kind);
        StringAssert.Contains(reason, "PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync");
    }

    [TestMethod]
    public void ThePoolStatisticsAnswerNothingWithoutACudaDriver()
    {
        if (NativeLibrary.TryLoad("libcuda.so.1", out nint driver))
        {
            NativeLibrary.Free(driver);
            Assert.Inconclusive("This machine has a CUDA driver: the no-driver answers are not checked here.");
        }
        Assert.IsNull(CudaDriver.DefaultPoolStatistics(0));
        Assert.IsFalse(CudaDriver.ResetDefaultPoolPeaks(0));
        Assert.IsNull(CudaDriver.MemoryInfo());
        Assert.IsNull(CudaDriver.Device(0));
    }

    private static string LoadTorch()
    {
        _ = torch.cuda.is_available();
        return LoadedLibraries.Find("libtorch_cpu.so")!;
    }

    /// <summary>The GPU checks app's build output, in this test host's configuration.</summary>
    private static string ChecksAppDirectory
    {
        get
        {
            string relative = Path.GetRelativePath(Path.Combine(TestPaths.RepositoryRoot, "test", "Microsoft.ML.Shira.Tests"), AppContext.BaseDirectory);
            return Path.Combine(TestPaths.RepositoryRoot, "test", "Microsoft.ML.Shira.GpuChecks", relative);
        }
    }

    private static (int Exit, string Output, string Error) RunChecksApp(string[] arguments, string? libTorchVariable = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(ChecksAppDirectory, "Microsoft.ML.Shira.GpuChecks.dll"));
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment.Remove("OUT");
        if (libTorchVariable is null)
            start.Environment.Remove(ShiraRuntime.LibTorchDirectoryVariable);
        else
            start.Environment[ShiraRuntime.LibTorchDirectoryVariable] = libTorchVariable;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(2)), "The checks app finishes.");
        return (process.ExitCode, output, error.Result);
    }
}
