namespace Microsoft.ML.Shira;

public sealed partial class ShiraCatalog
{
    /// <summary>
    /// A transformer that runs adapter <paramref name="adapterName"/> (with its head, for a classifier), sharing the base
    /// model and adapters of <paramref name="model"/> (no copy). <paramref name="model"/> keeps its own selection; when
    /// both are used, each unit of work fuses the adapters it needs (O(k) per switch).
    /// </summary>
    /// <typeparam name="TTransformer">The SHiRA transformer type (text classifier or text generator).</typeparam>
    /// <exception cref="KeyNotFoundException">The model has no such adapter.</exception>
    public TTransformer SwitchAdapter<TTransformer>(TTransformer model, string adapterName)
        where TTransformer : ShiraTransformer
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(adapterName);
        return (TTransformer)model.CreateView(model.SingleAdapterSelection(adapterName));
    }

    /// <summary>
    /// A transformer that runs the adapters fused into the weights (<c>W = W_base + Σ αᵢ·Sᵢ</c>; a classifier uses the
    /// head of the first one), sharing the base model and adapters of <paramref name="model"/>.
    /// </summary>
    /// <typeparam name="TTransformer">The SHiRA transformer type (text classifier or text generator).</typeparam>
    /// <exception cref="ArgumentException">No adapters, a name given twice, or a non-finite α.</exception>
    /// <exception cref="KeyNotFoundException">The model has no such adapter.</exception>
    public TTransformer FuseAdapters<TTransformer>(TTransformer model, params (string Name, double Alpha)[] adapters)
        where TTransformer : ShiraTransformer
    {
        ArgumentNullException.ThrowIfNull(model);
        return (TTransformer)model.CreateView(model.Fusion(adapters));
    }
}
