namespace Microsoft.ML.Shira.ModelFiles.Persistence;

/// <summary>
/// A SHiRA transformer that <c>mlContext.Shira().Model.Save</c> can store. Each kind writes its settings (into the
/// manifest) and its entries (under its own folder of the model file) through a <see cref="ShiraModelWriter"/>; an
/// <see cref="IShiraTransformerLoader"/> registered for the same <see cref="Kind"/> in <see cref="ShiraTransformerLoaders"/>
/// rebuilds it. A new kind of transformer needs only these two pieces.
/// </summary>
internal interface IShiraPersistable : ITransformer
{
    /// <summary>Stable name of the transformer kind in model files, e.g. <c>text-classification</c>.</summary>
    string Kind { get; }

    /// <summary>Writes everything needed to rebuild the transformer (base model reference, adapters, settings).</summary>
    void WriteTo(ShiraModelWriter writer);
}
