using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace;

/// <summary>
/// A model whose parameters are named exactly as in Hugging Face <c>transformers</c>, so that it can be loaded from and
/// exported to a Hugging Face model folder. Every architecture registered in <see cref="HuggingFaceArchitectures"/>
/// creates one.
/// </summary>
public interface IHuggingFaceModel : IDisposable
{
    /// <summary>The <c>model_type</c> written to <c>config.json</c> (<c>llama</c>, <c>gpt2</c>, …).</summary>
    string ModelType { get; }

    /// <summary>The module whose <c>named_parameters()</c> and persistent buffers are the checkpoint tensors.</summary>
    nn.Module Module { get; }

    /// <summary>Element type of the weights.</summary>
    ScalarType DType { get; }

    /// <summary>The <c>config.json</c> text describing this model.</summary>
    string ToConfigJson();

    /// <summary>
    /// True for a checkpoint tensor the model does not hold but that Hugging Face checkpoints may contain
    /// (for example <c>lm_head.weight</c> when the head is tied to the embedding); such tensors are skipped on load.
    /// </summary>
    bool IsIgnoredCheckpointTensor(string name);
}
