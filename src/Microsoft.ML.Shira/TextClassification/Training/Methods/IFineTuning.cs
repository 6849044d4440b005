using Microsoft.ML.Shira.Adapters;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.TextClassification.Training.Methods;

/// <summary>
/// One fine-tuning method prepared on the encoder: which encoder parameters train, and, after training, the adapter
/// that reproduces the trained encoder on the transformer's base weights (leaving the model with plain Linear layers).
/// </summary>
internal interface IFineTuning
{
    /// <summary>Short name for messages.</summary>
    string Name { get; }

    /// <summary>Encoder parameters to train (may be empty: head only).</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of trainable encoder values.</summary>
    long TrainableCount { get; }

    /// <summary>A one-line description of what was injected or unfrozen.</summary>
    string Describe();

    /// <summary>
    /// Ends training: returns the adapter and the number of encoder weights that now differ from the pretrained ones
    /// once the adapter is fused; puts the plain Linear layers back.
    /// </summary>
    (SparseAdapter Adapter, long ChangedWeights) Finish(string adapterName, string baseModelId, int seed);
}
