using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Adapters.Switching;

/// <summary>An adapter layer ready to scatter: indices and α·values on the weight's device and dtype.</summary>
internal sealed class PreparedLayer : IDisposable
{
    public PreparedLayer(string modulePath, Tensor indices, Tensor delta)
    {
        ModulePath = modulePath;
        Indices = indices;
        Delta = delta;
    }

    public string ModulePath { get; }

    public Tensor Indices { get; }

    public Tensor Delta { get; }

    public void Dispose()
    {
        Indices.Dispose();
        Delta.Dispose();
    }
}
