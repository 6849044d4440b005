using System.Runtime.InteropServices;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// Hugging Face's own Rust <c>tokenizers</c> library (through the Tokenizers.DotNet wrapper and its linux-x64 native
/// library), the independent reference for any <c>tokenizer.json</c>. Its <c>Encode</c> runs the whole pipeline,
/// post-processor included (special tokens added).
/// </summary>
internal static class HuggingFaceReference
{
    /// <summary>Skips the calling test (inconclusive) where the native library is not shipped: it exists for linux-x64 only.</summary>
    public static void RequireNativeLibrary()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
            Assert.Inconclusive("Tokenizers.DotNet's native library is referenced for linux-x64 only.");
    }

    /// <summary>Loads <paramref name="tokenizerJsonPath"/> with Hugging Face's tokenizers.</summary>
    public static global::Tokenizers.DotNet.Tokenizer Load(string tokenizerJsonPath)
    {
        RequireNativeLibrary();
        return new global::Tokenizers.DotNet.Tokenizer(tokenizerJsonPath);
    }

    /// <summary>The ids Hugging Face gives <paramref name="text"/>, special tokens of the post-processor included.</summary>
    public static int[] Encode(global::Tokenizers.DotNet.Tokenizer tokenizer, string text) =>
        tokenizer.Encode(text).Select(id => checked((int)id)).ToArray();
}
