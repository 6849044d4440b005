using Microsoft.ML.Shira.Checkpoints.Onnx;

namespace Microsoft.ML.Shira.IO.Onnx;

/// <summary>
/// Parses the ONNX protobuf (<c>ModelProto</c> → <c>GraphProto</c> → initializers and nodes) with
/// <see cref="ProtobufReader"/>. Fields the importer does not need are skipped.
/// </summary>
internal static class OnnxModelParser
{
    // ModelProto
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelGraph = 7;
    // GraphProto
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    // NodeProto
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    // AttributeProto
    private const int AttrName = 1, AttrInt = 3, AttrTensor = 5;
    // TensorProto
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorInt64Data = 7, TensorName = 8,
        TensorRawData = 9, TensorExternalData = 13, TensorDataLocation = 14;
    // ValueInfoProto
    private const int ValueInfoName = 1;

    public static OnnxGraph Parse(ReadOnlyMemory<byte> model)
    {
        if (model.IsEmpty)
            throw new ShiraFormatException("The ONNX model is empty (0 bytes).");
        var reader = new ProtobufReader(model, "ModelProto");
        long irVersion = 0;
        string producer = "";
        OnnxGraph? graph = null;
        while (reader.TryReadTag(out int field, out int wire))
        {
            switch (field)
            {
                case ModelIrVersion when wire == ProtobufReader.WireVarint:
                    irVersion = reader.ReadInt64();
                    break;
                case ModelProducerName when wire == ProtobufReader.WireLengthDelimited:
                    producer = reader.ReadString();
                    break;
                case ModelGraph when wire == ProtobufReader.WireLengthDelimited:
                    graph = ParseGraph(reader.ReadMessage("GraphProto"), irVersion, producer);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        if (graph is null)
            throw new ShiraFormatException("Not an ONNX model: the ModelProto has no graph (field 7).");
        if (irVersion <= 0)
            throw new ShiraFormatException($"Not an ONNX model: ir_version is {irVersion}.");
        return new OnnxGraph
        {
            IrVersion = irVersion,
            ProducerName = producer,
            Name = graph.Name,
            Initializers = graph.Initializers,
            Nodes = graph.Nodes,
            Inputs = graph.Inputs,
            Outputs = graph.Outputs,
        };
    }

    private static OnnxGraph ParseGraph(ProtobufReader reader, long irVersion, string producer)
    {
        string name = "";
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var nodes = new List<OnnxNode>();
        var inputs = new List<string>();
        var outputs = new List<string>();
        while (reader.TryReadTag(out int field, out int wire))
        {
            if (wire != ProtobufReader.WireLengthDelimited)
            {
                reader.Skip(wire);
                continue;
            }
            switch (field)
            {
                case GraphNode:
                    nodes.Add(ParseNode(reader.ReadMessage("NodeProto")));
                    break;
                case GraphName:
                    name = reader.ReadString();
                    break;
                case GraphInitializer:
                    var tensor = ParseTensor(reader.ReadMessage("TensorProto"));
                    if (!initializers.TryAdd(tensor.Name, tensor))
                        throw new ShiraFormatException($"The ONNX graph has two initializers named '{tensor.Name}'.");
                    break;
                case GraphInput:
                    inputs.Add(ParseValueInfoName(reader.ReadMessage("ValueInfoProto")));
                    break;
                case GraphOutput:
                    outputs.Add(ParseValueInfoName(reader.ReadMessage("ValueInfoProto")));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        return new OnnxGraph
        {
            IrVersion = irVersion,
            ProducerName = producer,
            Name = name,
            Initializers = initializers,
            Nodes = nodes,
            Inputs = inputs,
            Outputs = outputs,
        };
    }

    private static OnnxNode ParseNode(ProtobufReader reader)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "", opType = "";
        var tensors = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var ints = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.TryReadTag(out int field, out int wire))
        {
            if (wire != ProtobufReader.WireLengthDelimited)
            {
                reader.Skip(wire);
                continue;
            }
            switch (field)
            {
                case NodeInput: inputs.Add(reader.ReadString()); break;
                case NodeOutput: outputs.Add(reader.ReadString()); break;
                case NodeName: name = reader.ReadString(); break;
                case NodeOpType: opType = reader.ReadString(); break;
                case NodeAttribute: ParseAttribute(reader.ReadMessage("AttributeProto"), tensors, ints); break;
                default: reader.Skip(wire); break;
            }
        }
        if (opType.Length == 0)
            throw new ShiraFormatException($"ONNX node '{name}' has no op_type.");
        return new OnnxNode { OpType = opType, Name = name, Inputs = inputs, Outputs = outputs, TensorAttributes = tensors, IntAttributes = ints };
    }

    private static void ParseAttribute(ProtobufReader reader, Dictionary<string, OnnxTensor> tensors, Dictionary<string, long> ints)
    {
        string name = "";
        OnnxTensor? tensor = null;
        long? integer = null;
        while (reader.TryReadTag(out int field, out int wire))
        {
            switch (field)
            {
                case AttrName when wire == ProtobufReader.WireLengthDelimited: name = reader.ReadString(); break;
                case AttrInt when wire == ProtobufReader.WireVarint: integer = reader.ReadInt64(); break;
                case AttrTensor when wire == ProtobufReader.WireLengthDelimited: tensor = ParseTensor(reader.ReadMessage("TensorProto")); break;
                default: reader.Skip(wire); break;
            }
        }
        if (tensor is not null)
            tensors[name] = tensor;
        if (integer is not null)
            ints[name] = integer.Value;
    }

    private static OnnxTensor ParseTensor(ProtobufReader reader)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        var longs = new List<long>();
        int dataType = 0;
        string name = "";
        ReadOnlyMemory<byte> raw = default;
        bool external = false;
        while (reader.TryReadTag(out int field, out int wire))
        {
            switch (field)
            {
                case TensorDims: reader.ReadRepeatedInt64(wire, dims); break;
                case TensorDataType when wire == ProtobufReader.WireVarint: dataType = (int)reader.ReadInt64(); break;
                case TensorFloatData: reader.ReadRepeatedFloat(wire, floats); break;
                case TensorInt64Data: reader.ReadRepeatedInt64(wire, longs); break;
                case TensorName when wire == ProtobufReader.WireLengthDelimited: name = reader.ReadString(); break;
                case TensorRawData when wire == ProtobufReader.WireLengthDelimited: raw = reader.ReadBytes(); break;
                case TensorExternalData: external = true; reader.Skip(wire); break;
                case TensorDataLocation when wire == ProtobufReader.WireVarint: external |= reader.ReadInt64() == 1; break;
                default: reader.Skip(wire); break;
            }
        }
        foreach (long d in dims)
            if (d < 0)
                throw new ShiraFormatException($"ONNX tensor '{name}' has a negative dimension in [{string.Join(", ", dims)}].");
        return new OnnxTensor
        {
            Name = name,
            Dims = dims.ToArray(),
            DataType = dataType,
            RawData = raw,
            FloatData = floats,
            Int64Data = longs,
            IsExternal = external,
        };
    }

    private static string ParseValueInfoName(ProtobufReader reader)
    {
        string name = "";
        while (reader.TryReadTag(out int field, out int wire))
        {
            if (field == ValueInfoName && wire == ProtobufReader.WireLengthDelimited)
                name = reader.ReadString();
            else
                reader.Skip(wire);
        }
        return name;
    }
}
