using Microsoft.ML.Shira.Adapters;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>The adapter of methods that leave nothing to fuse (head only; full fine-tuning, whose weights live in the base).</summary>
internal static class EmptyAdapter
{
    public static SparseAdapter Create(string name, string baseModelId, string taskType, int seed, double sparsity) =>
        new(name, Array.Empty<SparseAdapterLayer>(), new AdapterMetadata
        {
            Sparsity = sparsity,
            Seed = seed,
            BaseModelName = baseModelId,
            TaskType = taskType,
        });
}
