using Microsoft.ML.Shira.Checkpoints.Onnx;

namespace Microsoft.ML.Shira.IO.Onnx;

/// <summary>The parts of an ONNX <c>ModelProto</c>/<c>GraphProto</c> the importer needs.</summary>
internal sealed class OnnxGraph
{
    public required long IrVersion { get; init; }
    public required string ProducerName { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyDictionary<string, OnnxTensor> Initializers { get; init; }
    public required IReadOnlyList<OnnxNode> Nodes { get; init; }
    public required IReadOnlyList<string> Inputs { get; init; }
    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary>The node producing each value name.</summary>
    public IReadOnlyDictionary<string, OnnxNode> Producers => _producers ??= BuildProducers();

    /// <summary>The nodes consuming each value name.</summary>
    public IReadOnlyDictionary<string, List<OnnxNode>> Consumers => _consumers ??= BuildConsumers();

    private Dictionary<string, OnnxNode>? _producers;
    private Dictionary<string, List<OnnxNode>>? _consumers;

    /// <summary>The constant tensor behind a value name: an initializer or a <c>Constant</c> node's value.</summary>
    public OnnxTensor? ConstantOf(string valueName)
    {
        if (Initializers.TryGetValue(valueName, out var init))
            return init;
        if (Producers.TryGetValue(valueName, out var node) && node.OpType == "Constant"
            && node.TensorAttributes.TryGetValue("value", out var value))
            return value;
        return null;
    }

    private Dictionary<string, OnnxNode> BuildProducers()
    {
        var map = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var node in Nodes)
            foreach (var output in node.Outputs)
                map.TryAdd(output, node);
        return map;
    }

    private Dictionary<string, List<OnnxNode>> BuildConsumers()
    {
        var map = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var node in Nodes)
            foreach (var input in node.Inputs)
            {
                if (!map.TryGetValue(input, out var list))
                    map[input] = list = [];
                list.Add(node);
            }
        return map;
    }
}
