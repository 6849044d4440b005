using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.ML.Shira.Checkpoints.HuggingFace.Architectures;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace;

/// <summary>
/// The architectures <see cref="HuggingFaceLoader"/> can build, keyed by <c>model_type</c>. LLaMA and GPT-2 are built
/// in; further architectures (BERT, …) are added with <see cref="Register"/>.
/// </summary>
internal static class HuggingFaceArchitectures
{
    private static readonly ConcurrentDictionary<string, IHuggingFaceArchitecture> ByModelType = new(StringComparer.Ordinal);

    static HuggingFaceArchitectures()
    {
        foreach (string modelType in Models.Llama.LlamaConfig.Family.Keys)
            Register(new LlamaArchitecture(modelType));
        Register(new Gpt2Architecture());
        foreach (string modelType in Models.Bert.BertConfig.Family.Keys)
            Register(new BertArchitecture(modelType));
        Register(new DistilBertArchitecture());
    }

    /// <summary>The registered model types, sorted.</summary>
    public static IReadOnlyList<string> ModelTypes => ByModelType.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Registers (or replaces) the architecture of <see cref="IHuggingFaceArchitecture.ModelType"/>.</summary>
    public static void Register(IHuggingFaceArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentException.ThrowIfNullOrWhiteSpace(architecture.ModelType);
        ByModelType[architecture.ModelType] = architecture;
    }

    /// <summary>Finds the architecture of a model type.</summary>
    public static bool TryGet(string modelType, [NotNullWhen(true)] out IHuggingFaceArchitecture? architecture)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        return ByModelType.TryGetValue(modelType, out architecture);
    }
}
