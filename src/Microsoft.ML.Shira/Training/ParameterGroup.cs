using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training;

/// <summary>Parameters that AdamW updates with one peak learning rate (the schedule scales every group alike).</summary>
/// <param name="Parameters">The parameters; each must require gradients.</param>
/// <param name="PeakLearningRate">The learning rate at the end of the warm-up.</param>
internal sealed record ParameterGroup(IReadOnlyList<Parameter> Parameters, double PeakLearningRate);
