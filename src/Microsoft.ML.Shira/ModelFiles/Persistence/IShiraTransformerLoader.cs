namespace Microsoft.ML.Shira.ModelFiles.Persistence;

/// <summary>Rebuilds the SHiRA transformers of one <see cref="Kind"/> from a model file (the counterpart of <see cref="IShiraPersistable"/>).</summary>
internal interface IShiraTransformerLoader
{
    /// <summary>The <see cref="IShiraPersistable.Kind"/> this loader reads.</summary>
    string Kind { get; }

    /// <summary>
    /// Builds the transformer from its settings and entries. Problems with the file raise
    /// <see cref="ShiraFormatException"/> naming the file and entry; everything built before a failure is released.
    /// </summary>
    ITransformer Load(ShiraModelReader reader);
}
