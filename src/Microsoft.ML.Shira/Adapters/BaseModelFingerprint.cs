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
    public static string Compute(IEnumerable<KeyValuePair<string, Tensor>> weights) => Compute(weights, castTo: null);

    /// <summary>
    /// <see cref="Compute(IEnumerable{KeyValuePair{string, Tensor}})"/> of the weights converted to <paramref name="castTo"/>
    /// first (when not null): the fingerprint the same checkpoint has when loaded in that type.
    /// </summary>
    internal static string Compute(IEnumerable<KeyValuePair<string, Tensor>> weights, ScalarType? castTo)
    {
        ArgumentNullException.ThrowIfNull(weights);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, weight) in weights.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            using var scope = NewDisposeScope();
            var value = castTo is { } type && weight.dtype != type ? weight.detach().to(type) : weight.detach();
            hash.AppendData(Encoding.UTF8.GetBytes($"{path}|{value.dtype}|{string.Join("x", value.shape)}|"));
            hash.AppendData(value.cpu().contiguous().bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The fingerprint of a whole base model: <see cref="Compute(IEnumerable{KeyValuePair{string, Tensor}})"/> over every tensor of its state dict (parameters and
    /// persistent buffers), which must hold the plain base weights (no adapter fused). Model files record it.
    /// </summary>
    public static string OfModel(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Compute(model.state_dict());
    }
}
