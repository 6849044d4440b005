using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Shira.IO.Onnx;
using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Checkpoints.Onnx;

/// <summary>
/// Reads a <see cref="BertConfig"/> off an exported BERT graph: sizes from the named embedding/bias initializers,
/// the head count from the reshape that splits heads, LayerNorm epsilon from the constant added before <c>Sqrt</c>,
/// the activation from the operators used.
/// </summary>
internal static partial class OnnxBertConfigInference
{
    [GeneratedRegex(@"^encoder\.layer\.(\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex LayerIndex();

    public static BertConfig Infer(OnnxGraph graph)
    {
        var words = Require(graph, "embeddings.word_embeddings.weight", 2);
        var positions = Require(graph, "embeddings.position_embeddings.weight", 2);
        var types = Require(graph, "embeddings.token_type_embeddings.weight", 2);
        var intermediate = Require(graph, "encoder.layer.0.intermediate.dense.bias", 1);
        long hidden = words.Dims[1];

        int layers = graph.Initializers.Keys
            .Select(name => LayerIndex().Match(name))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1)
            .DefaultIfEmpty(0)
            .Max();
        if (layers == 0)
            throw new ShiraFormatException("The ONNX graph has no 'encoder.layer.N.*' initializers; it is not a BERT encoder export.");

        int heads = InferHeads(graph, hidden)
            ?? (hidden == BertConfig.MiniLmL6V2.HiddenSize && layers == BertConfig.MiniLmL6V2.NumHiddenLayers
                ? BertConfig.MiniLmL6V2.NumAttentionHeads
                : throw new ShiraFormatException($"Could not find the attention head count in the ONNX graph (no Reshape to [.., .., heads, head_size] with heads·head_size = {hidden})."));

        return new BertConfig
        {
            VocabSize = checked((int)words.Dims[0]),
            HiddenSize = checked((int)hidden),
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            IntermediateSize = checked((int)intermediate.Dims[0]),
            HiddenAct = InferActivation(graph),
            MaxPositionEmbeddings = checked((int)positions.Dims[0]),
            TypeVocabSize = checked((int)types.Dims[0]),
            LayerNormEps = InferLayerNormEps(graph) ?? 1e-12,
            PadTokenId = 0,
        };
    }

    private static OnnxTensor Require(OnnxGraph graph, string name, int rank)
    {
        if (!graph.Initializers.TryGetValue(name, out var tensor))
            throw new ShiraFormatException($"The ONNX graph has no initializer '{name}'; it is not a Hugging Face BERT export.");
        if (tensor.Dims.Length != rank)
            throw new ShiraFormatException($"ONNX initializer '{name}' has shape {tensor.ShapeText}; expected rank {rank}.");
        return tensor;
    }

    /// <summary>The most common <c>heads</c> in Reshape target shapes built as <c>Concat(.., .., heads, head_size)</c>.</summary>
    private static int? InferHeads(OnnxGraph graph, long hidden)
    {
        var votes = new Dictionary<long, int>();
        foreach (var reshape in graph.Nodes.Where(n => n.OpType == "Reshape" && n.Inputs.Count >= 2))
        {
            IReadOnlyList<long>? shape = ConstantInts(graph, reshape.Inputs[1]);
            if (shape is null && graph.Producers.TryGetValue(reshape.Inputs[1], out var concat) && concat.OpType == "Concat")
            {
                var parts = new List<long>();
                foreach (var input in concat.Inputs)
                {
                    var ints = ConstantInts(graph, input);
                    parts.Add(ints is { Count: 1 } ? ints[0] : -1); // -1: a dynamic dimension
                }
                shape = parts;
            }
            if (shape is not { Count: 4 })
                continue;
            long heads = shape[2], size = shape[3];
            if (heads > 0 && size > 0 && heads * size == hidden)
                votes[heads] = votes.GetValueOrDefault(heads) + 1;
        }
        return votes.Count == 0 ? null : checked((int)votes.MaxBy(kv => kv.Value).Key);
    }

    private static IReadOnlyList<long>? ConstantInts(OnnxGraph graph, string valueName)
    {
        var tensor = graph.ConstantOf(valueName);
        if (tensor is null || tensor.DataType is not (OnnxTensor.TypeInt64 or OnnxTensor.TypeInt32))
            return null;
        try
        {
            return tensor.ToInt64Array();
        }
        catch (ShiraFormatException)
        {
            return null;
        }
    }

    /// <summary>The scalar added to the variance before <c>Sqrt</c> in the decomposed LayerNorm, or a LayerNormalization epsilon.</summary>
    private static double? InferLayerNormEps(OnnxGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            if (node.OpType == "LayerNormalization")
                return null; // fused: epsilon is a float attribute we do not read; the Hugging Face default applies
            if (node.OpType != "Sqrt" || !graph.Producers.TryGetValue(node.Inputs[0], out var add) || add.OpType != "Add")
                continue;
            foreach (var input in add.Inputs)
            {
                var constant = graph.ConstantOf(input);
                if (constant is { DataType: OnnxTensor.TypeFloat, ElementCount: 1 })
                {
                    // The float32 constant 1e-12 is 9.99999996e-13 as a double; keep the decimal it was written as.
                    float eps = constant.ToFloatArray()[0];
                    return double.Parse(eps.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                }
            }
        }
        return null;
    }

    private static string InferActivation(OnnxGraph graph)
    {
        var ops = graph.Nodes.Select(n => n.OpType).ToHashSet(StringComparer.Ordinal);
        if (ops.Contains("Erf") || ops.Contains("Gelu"))
            return "gelu";
        if (ops.Contains("Relu"))
            return "relu";
        throw new ShiraFormatException("Could not identify the feed-forward activation of the ONNX graph (no Erf, Gelu or Relu node).");
    }
}
