using System.Runtime.CompilerServices;

namespace Microsoft.ML.Shira;

/// <summary>Argument checks shared by the catalog's text classification and text generation methods.</summary>
public sealed partial class ShiraCatalog
{
    /// <summary>Returns <paramref name="model"/>, or throws when it is null.</summary>
    private static TTransformer NotNull<TTransformer>(TTransformer model, [CallerArgumentExpression(nameof(model))] string? paramName = null)
        where TTransformer : class
    {
        ArgumentNullException.ThrowIfNull(model, paramName);
        return model;
    }

    /// <summary>Returns <paramref name="adapterName"/>, or throws when it is null, empty or white space.</summary>
    private static string AdapterName(string adapterName, [CallerArgumentExpression(nameof(adapterName))] string? paramName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(adapterName, paramName);
        return adapterName;
    }
}
