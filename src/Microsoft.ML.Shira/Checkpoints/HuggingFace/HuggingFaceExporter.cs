using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace;

/// <summary>
/// Writes a model as a Hugging Face folder: <c>config.json</c> and <c>model.safetensors</c> (tensors in the model's
/// dtype, sorted by name, <c>__metadata__ {"format": "pt"}</c>). Both files are written atomically. A tensor shared by
/// several modules is written once, under its first name. Weights of <see cref="IHuggingFaceModel.FanInFanOutModules"/> are
/// written transposed, as the <c>[in, out]</c> Conv1D layout Hugging Face uses. <see cref="HuggingFaceLoader"/> reads the
/// export back bit for bit.
/// </summary>
public static class HuggingFaceExporter
{
    private static readonly IReadOnlyDictionary<string, string> Metadata = new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>Writes <paramref name="model"/> into <paramref name="directory"/> (created when missing; existing files replaced).</summary>
    public static void Save(IHuggingFaceModel model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        AtomicFile.WriteAll(directory, new Dictionary<string, byte[]>
        {
            [HuggingFaceLoader.WeightsFileName] = WeightsToBytes(model),
            [HuggingFaceLoader.ConfigFileName] = new System.Text.UTF8Encoding(false).GetBytes(model.ToConfigJson()),
        });
    }

    /// <summary>The bytes of <c>model.safetensors</c> for <paramref name="model"/>'s current weights.</summary>
    internal static byte[] WeightsToBytes(IHuggingFaceModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var transposed = new List<Tensor>();
        var seen = new HashSet<IntPtr>();
        try
        {
            foreach (var (name, tensor) in model.Module.state_dict())
            {
                if (!seen.Add(tensor.Handle))
                    continue;
                if (FanInFanOut.IsTransposed(model, name) && tensor.dim() == 2)
                {
                    Tensor stored;
                    using (NewDisposeScope())
                        stored = tensor.detach().t().contiguous().DetachFromDisposeScope();
                    transposed.Add(stored);
                    tensors.Add(new(name, stored));
                }
                else
                {
                    tensors.Add(new(name, tensor));
                }
            }
            return SafetensorsWriter.ToBytes(tensors, Metadata);
        }
        finally
        {
            foreach (var tensor in transposed)
                tensor.Dispose();
        }
    }
}
