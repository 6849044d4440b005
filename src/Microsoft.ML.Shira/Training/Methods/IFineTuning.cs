using Microsoft.ML.Shira.Adapters;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>
/// One fine-tuning method prepared on a pretrained model (encoder or decoder): which of its parameters train, and,
/// after training, the adapter that reproduces the trained model on the transformer's base weights (leaving the model
/// with plain Linear layers).
/// </summary>
internal interface IFineTuning
{
    /// <summary>Short name for messages.</summary>
    string Name { get; }

    /// <summary>Model parameters to train (may be empty: head only).</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of trainable model values.</summary>
    long TrainableCount { get; }

    /// <summary>A one-line description of what was injected or unfrozen.</summary>
    string Describe();

    /// <summary>
    /// Ends training: returns the adapter and the number of model weights that now differ from the pretrained ones
    /// once the adapter is fused; puts the plain Linear layers back.
    /// </summary>
    /// <param name="adapterName">Name of the adapter.</param>
    /// <param name="baseModelId">Id of the base model, recorded in the adapter's metadata.</param>
    /// <param name="taskType">PEFT task type of the adapter, e.g. <c>SEQ_CLS</c> or <c>CAUSAL_LM</c>.</param>
    /// <param name="seed">Seed recorded in the adapter's metadata.</param>
    (SparseAdapter Adapter, long ChangedWeights) Finish(string adapterName, string baseModelId, string taskType, int seed);
}
