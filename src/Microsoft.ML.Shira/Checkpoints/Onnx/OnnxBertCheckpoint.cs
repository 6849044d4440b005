using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Checkpoints.Onnx;

/// <summary>
/// The encoder weights found in an ONNX export of a BERT model, by Hugging Face name, with the configuration read
/// off the graph. Owns its tensors: dispose it (after loading them into a <see cref="BertModel"/>).
/// </summary>
internal sealed class OnnxBertCheckpoint : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;
    private bool _disposed;

    internal OnnxBertCheckpoint(BertConfig config, Dictionary<string, Tensor> tensors, IReadOnlyList<string> unusedInitializers)
    {
        Config = config;
        _tensors = tensors;
        UnusedInitializers = unusedInitializers;
    }

    /// <summary>The configuration read off the graph.</summary>
    public BertConfig Config { get; }

    /// <summary>Every encoder parameter, by Hugging Face name (Linear weights <c>[out, in]</c>), float32 on the CPU.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _tensors;
        }
    }

    /// <summary>Initializers of the graph that no encoder parameter came from (e.g. <c>pooler.*</c>, shape constants).</summary>
    public IReadOnlyList<string> UnusedInitializers { get; }

    /// <summary>Creates a <see cref="BertModel"/> of <see cref="Config"/> and loads the weights into it.</summary>
    public BertModel CreateModel()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var model = new BertModel(Config);
        try
        {
            model.LoadWeights(_tensors);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var tensor in _tensors.Values)
            tensor.Dispose();
        _tensors.Clear();
    }
}
