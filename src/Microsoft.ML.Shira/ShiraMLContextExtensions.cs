namespace Microsoft.ML.Shira;

/// <summary>Adds the SHiRA catalog to <see cref="MLContext"/>: <c>mlContext.Shira()</c>.</summary>
public static class ShiraMLContextExtensions
{
    /// <summary>
    /// The catalog of SHiRA (Sparse High Rank Adapter) fine-tuning operations for this context:
    /// text classification, text generation, adapter switching and fusion on trained models, and saving, loading and
    /// exporting SHiRA models (<c>mlContext.Shira().Model</c>).
    /// </summary>
    /// <param name="mlContext">The ML.NET context; its log, seed and GPU settings are honored.</param>
    public static ShiraCatalog Shira(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new ShiraCatalog(mlContext);
    }
}
