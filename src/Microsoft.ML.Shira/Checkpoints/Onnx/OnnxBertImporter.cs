using Microsoft.ML.Shira.IO.Onnx;
using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Checkpoints.Onnx;

/// <summary>
/// Imports a BERT-family encoder exported to ONNX by PyTorch/Hugging Face (e.g. sentence-transformers'
/// all-MiniLM-L6-v2) into a <see cref="BertModel"/>. The protobuf is parsed here; no ONNX runtime is needed.
/// </summary>
internal static class OnnxBertImporter
{
    /// <summary>Reads the configuration and every encoder weight of an ONNX model.</summary>
    /// <param name="onnxModel">The bytes of the <c>.onnx</c> file (weights embedded, not external).</param>
    /// <exception cref="ShiraFormatException">The bytes are not a valid ONNX model, or a BERT tensor is missing or
    /// mis-shaped (the message names it).</exception>
    public static OnnxBertCheckpoint ReadCheckpoint(ReadOnlyMemory<byte> onnxModel)
    {
        var graph = OnnxModelParser.Parse(onnxModel);
        var config = OnnxBertConfigInference.Infer(graph);
        try
        {
            config.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ShiraFormatException($"The configuration read off the ONNX graph is invalid: {ex.Message}", ex);
        }
        var sources = OnnxBertWeightMapper.Map(graph, config);
        var used = sources.Values.Select(s => s.Tensor.Name).ToHashSet(StringComparer.Ordinal);
        var unused = graph.Initializers.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        return new OnnxBertCheckpoint(config, OnnxBertWeightMapper.Materialize(sources), unused);
    }

    /// <summary>Creates a <see cref="BertModel"/> (in eval mode) holding the weights of an ONNX model.</summary>
    /// <param name="onnxModel">The bytes of the <c>.onnx</c> file.</param>
    /// <exception cref="ShiraFormatException">See <see cref="ReadCheckpoint"/>.</exception>
    public static BertModel LoadModel(ReadOnlyMemory<byte> onnxModel)
    {
        using var checkpoint = ReadCheckpoint(onnxModel);
        return checkpoint.CreateModel();
    }

    /// <summary>Reads a stream to its end and imports it as <see cref="LoadModel(ReadOnlyMemory{byte})"/> does.</summary>
    public static BertModel LoadModel(Stream onnxModel)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        if (onnxModel.CanSeek)
        {
            var bytes = new byte[checked((int)(onnxModel.Length - onnxModel.Position))];
            onnxModel.ReadExactly(bytes);
            return LoadModel(bytes);
        }
        using var buffer = new MemoryStream();
        onnxModel.CopyTo(buffer);
        return LoadModel(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}
