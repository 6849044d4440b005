using Microsoft.ML.Shira.Checkpoints.Onnx;

namespace Microsoft.ML.Shira.IO.Onnx;

/// <summary>An ONNX <c>NodeProto</c>: operator type, input and output value names, tensor-valued attributes.</summary>
internal sealed class OnnxNode
{
    public required string OpType { get; init; }
    public string Name { get; init; } = "";
    public required IReadOnlyList<string> Inputs { get; init; }
    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary>Tensor attributes (e.g. a <c>Constant</c> node's <c>value</c>).</summary>
    public IReadOnlyDictionary<string, OnnxTensor> TensorAttributes { get; init; } = new Dictionary<string, OnnxTensor>();

    /// <summary>Integer attributes (e.g. <c>Gemm</c>'s <c>transB</c>).</summary>
    public IReadOnlyDictionary<string, long> IntAttributes { get; init; } = new Dictionary<string, long>();
}
