using Microsoft.ML.Shira.BaseModels;

namespace Microsoft.ML.Shira.Tests.Bert;

/// <summary>The embedded all-MiniLM-L6-v2, loaded once for all BERT tests.</summary>
internal static class MiniLmFixture
{
    private static readonly Lazy<byte[]> LazyOnnx = new(() =>
    {
        using var stream = PretrainedEncoders.OpenMiniLmL6V2Onnx();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    private static readonly Lazy<PretrainedEncoder> LazyEncoder = new(() => PretrainedEncoders.MiniLmL6V2());

    public static byte[] OnnxBytes => LazyOnnx.Value;

    public static PretrainedEncoder Encoder => LazyEncoder.Value;
}
