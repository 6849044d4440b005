using System.Diagnostics;
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
