namespace Microsoft.ML.Shira.Masks;

/// <summary>Which lines of the weight matrix a <see cref="StructMask"/> makes trainable (the diagonal always is).</summary>
public enum StructMaskAxes
{
    /// <summary>Every f-th row and every f-th column.</summary>
    Both,

    /// <summary>Every f-th row only.</summary>
    Rows,

    /// <summary>Every f-th column only.</summary>
    Columns,
}
