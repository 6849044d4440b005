using Microsoft.ML.Shira.IO.Onnx;
using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Checkpoints.Onnx;

/// <summary>
/// Finds the Hugging Face tensor behind every encoder parameter of an exported BERT graph. Embeddings, LayerNorms
/// and biases keep their Hugging Face names as initializers; Linear weights are anonymous <c>[in, out]</c> inputs of
/// <c>MatMul</c> nodes, named here through the bias <c>Add</c> that follows (<c>…query.bias</c> → <c>…query.weight</c>)
/// and transposed to <c>[out, in]</c>.
/// </summary>
internal static class OnnxBertWeightMapper
{
    private const string BiasSuffix = ".bias";
    private const string WeightSuffix = ".weight";

    /// <summary>A parameter's source: the initializer and whether it is stored <c>[in, out]</c>.</summary>
    public readonly record struct Source(OnnxTensor Tensor, bool Transposed);

    /// <summary>Maps every parameter of <paramref name="config"/> to its initializer; throws naming all that are missing or mis-shaped.</summary>
    public static Dictionary<string, Source> Map(OnnxGraph graph, BertConfig config)
    {
        var linear = MapLinearWeights(graph);
        var result = new Dictionary<string, Source>(StringComparer.Ordinal);
        var missing = new List<string>();
        var mismatched = new List<string>();
        foreach (var (name, shape) in BertModel.ParameterShapes(config))
        {
            Source source;
            if (graph.Initializers.TryGetValue(name, out var named))
                source = new Source(named, false);
            else if (linear.TryGetValue(name, out var mapped))
                source = mapped;
            else
            {
                missing.Add(name);
                continue;
            }
            long[] dims = source.Transposed && source.Tensor.Dims.Length == 2
                ? [source.Tensor.Dims[1], source.Tensor.Dims[0]]
                : source.Tensor.Dims;
            if (!dims.AsSpan().SequenceEqual(shape))
                mismatched.Add($"{name} (initializer '{source.Tensor.Name}'{(source.Transposed ? ", transposed" : "")}) is [{string.Join(", ", dims)}], expected [{string.Join(", ", shape)}]");
            else if (source.Tensor.DataType != OnnxTensor.TypeFloat)
                mismatched.Add($"{name} (initializer '{source.Tensor.Name}') has ONNX data type {source.Tensor.DataType}, expected FLOAT (1)");
            else
                result[name] = source;
        }
        if (missing.Count > 0 || mismatched.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0)
                parts.Add($"no tensor found for {missing.Count} parameter(s): {string.Join(", ", missing)}");
            if (mismatched.Count > 0)
                parts.Add($"{mismatched.Count} tensor(s) do not fit: {string.Join("; ", mismatched)}");
            throw new ShiraFormatException(
                $"The ONNX graph does not hold a complete BERT encoder ({config.NumHiddenLayers} layers, hidden {config.HiddenSize}): {string.Join(". ", parts)}.");
        }
        return result;
    }

    /// <summary>Creates float32 tensors (Linear weights transposed to <c>[out, in]</c>) for the mapped sources.</summary>
    public static Dictionary<string, Tensor> Materialize(IReadOnlyDictionary<string, Source> sources)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, source) in sources)
            {
                var stored = source.Tensor.ToTorchFloat();
                if (source.Transposed)
                {
                    using (stored)
                    using (var view = stored.t())
                        tensors[name] = view.contiguous();
                }
                else
                {
                    tensors[name] = stored;
                }
            }
            return tensors;
        }
        catch
        {
            foreach (var t in tensors.Values)
                t.Dispose();
            throw;
        }
    }

    /// <summary><c>MatMul(x, W)</c> followed by <c>Add(bias, ·)</c> with <c>bias</c> named <c>P.bias</c> gives <c>P.weight = Wᵀ</c>; likewise Gemm.</summary>
    private static Dictionary<string, Source> MapLinearWeights(OnnxGraph graph)
    {
        var map = new Dictionary<string, Source>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (node.OpType == "MatMul" && node.Inputs.Count == 2 && node.Outputs.Count >= 1
                && graph.Initializers.TryGetValue(node.Inputs[1], out var weight) && weight.Dims.Length == 2
                && FindBiasAdd(graph, node.Outputs[0], weight.Dims[1]) is { } biasName)
            {
                Add(map, biasName, new Source(weight, Transposed: true));
            }
            else if (node.OpType == "Gemm" && node.Inputs.Count == 3
                && graph.Initializers.TryGetValue(node.Inputs[1], out var gemmWeight) && gemmWeight.Dims.Length == 2
                && graph.Initializers.ContainsKey(node.Inputs[2]) && node.Inputs[2].EndsWith(BiasSuffix, StringComparison.Ordinal))
            {
                bool transB = node.IntAttributes.GetValueOrDefault("transB") != 0;
                Add(map, node.Inputs[2], new Source(gemmWeight, Transposed: !transB));
            }
        }
        return map;
    }

    private static void Add(Dictionary<string, Source> map, string biasName, Source source)
    {
        string weightName = biasName[..^BiasSuffix.Length] + WeightSuffix;
        if (map.TryGetValue(weightName, out var existing) && existing.Tensor.Name != source.Tensor.Name)
            throw new ShiraFormatException(
                $"Two ONNX initializers ('{existing.Tensor.Name}' and '{source.Tensor.Name}') are both followed by the bias '{biasName}'; cannot tell which is '{weightName}'.");
        map[weightName] = source;
    }

    private static string? FindBiasAdd(OnnxGraph graph, string matMulOutput, long outFeatures)
    {
        if (!graph.Consumers.TryGetValue(matMulOutput, out var consumers))
            return null;
        foreach (var add in consumers.Where(c => c.OpType == "Add" && c.Inputs.Count == 2))
        {
            string other = add.Inputs[0] == matMulOutput ? add.Inputs[1] : add.Inputs[0];
            if (other.EndsWith(BiasSuffix, StringComparison.Ordinal)
                && graph.Initializers.TryGetValue(other, out var bias)
                && bias.Dims.Length == 1 && bias.Dims[0] == outFeatures)
                return other;
        }
        return null;
    }
}
