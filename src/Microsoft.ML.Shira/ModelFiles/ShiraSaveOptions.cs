namespace Microsoft.ML.Shira.ModelFiles;

/// <summary>Options of <see cref="ShiraModelOperationsCatalog.Save(ITransformer, DataViewSchema, string, ShiraSaveOptions?)"/>.</summary>
public sealed class ShiraSaveOptions
{
    /// <summary>
    /// Store the base model's weights, configuration and vocabulary in the file (about 90 MB for all-MiniLM-L6-v2), so
    /// that loading does not depend on the base model built into this library. Default false: the file refers to the
    /// built-in base model by id and the SHA-256 fingerprint of its weights, and loading checks the fingerprint. Base
    /// models that are not built in are always embedded-only: saving them without this option throws.
    /// </summary>
    public bool EmbedBaseModel;

    /// <summary>Largest weights entry of an embedded base model; larger bases are embedded as transformers-style shards.</summary>
    internal long MaxEmbeddedShardBytes = 1_000_000_000;
}
