namespace Microsoft.ML.Shira.Models;

/// <summary>
/// Keys and values of the tokens a causal language model has already seen, so that each decoding step only
/// processes the new token. Owns its tensors: dispose it when the sequence is finished. After an exception
/// during a forward pass the cache may be inconsistent and should be discarded.
/// </summary>
internal interface IKeyValueCache : IDisposable
{
    /// <summary>Number of cached positions.</summary>
    long Length { get; }

    /// <summary>Drops every cached position (and disposes the tensors).</summary>
    void Reset();
}
