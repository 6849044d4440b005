using System.Security.Cryptography;
using System.Text;

namespace Microsoft.ML.Shira.Adapters;

/// <summary>
/// SHA-256 over the base weights an adapter touches (module path, dtype, shape and raw bytes, in path order),
/// so an adapter can refuse a base model it was not trained on.
/// </summary>
public static class BaseModelFingerprint
{
    /// <summary>Hex SHA-256 of the given weights.</summary>
    public static string Compute(IEnumerable<KeyValuePair<string, Tensor>> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, weight) in weights.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{path}|{weight.dtype}|{string.Join("x", weight.shape)}|"));
            using var scope = NewDisposeScope();
            hash.AppendData(weight.detach().cpu().contiguous().bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The fingerprint of a whole base model: <see cref="Compute"/> over every tensor of its state dict (parameters and
    /// persistent buffers), which must hold the plain base weights (no adapter fused). Model files record it.
    /// </summary>
    public static string OfModel(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Compute(model.state_dict());
    }
}
