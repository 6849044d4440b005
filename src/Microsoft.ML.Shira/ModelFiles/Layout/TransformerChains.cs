using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Shira.ModelFiles.Persistence;

namespace Microsoft.ML.Shira.ModelFiles.Layout;

/// <summary>Reads the elements and scopes of ML.NET <see cref="TransformerChain{TLastTransformer}"/>s, whatever their last transformer type.</summary>
internal static class TransformerChains
{
    private static readonly TransformerScope[] SingleScopes = [TransformerScope.Training, TransformerScope.Testing, TransformerScope.Scoring];

    /// <summary>True for a <see cref="TransformerChain{TLastTransformer}"/>; returns its elements and the scope of each.</summary>
    public static bool TryGetElements(ITransformer model, out IReadOnlyList<ITransformer> elements, out IReadOnlyList<TransformerScope> scopes)
    {
        var type = model.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(TransformerChain<>))
        {
            elements = [];
            scopes = [];
            return false;
        }
        var all = ((IEnumerable<ITransformer>)model).ToList();
        var result = new TransformerScope[all.Count];
        // The scopes are private; GetModelFor(scope) keeps the elements whose scope includes it, in order.
        var getModelFor = type.GetMethod(nameof(TransformerChain<ITransformer>.GetModelFor), BindingFlags.Public | BindingFlags.Instance, [typeof(TransformerScope)])
            ?? throw new InvalidOperationException("TransformerChain.GetModelFor(TransformerScope) was not found; this ML.NET version is not supported.");
        foreach (var scope in SingleScopes)
        {
            var kept = ((IEnumerable<ITransformer>)getModelFor.Invoke(model, [scope])!).ToList();
            int next = 0;
            for (int i = 0; i < all.Count && next < kept.Count; i++)
            {
                if (ReferenceEquals(all[i], kept[next]))
                {
                    result[i] |= scope;
                    next++;
                }
            }
        }
        elements = all;
        scopes = result;
        return true;
    }

    /// <summary>True when <paramref name="model"/> is, or is a chain that contains at any depth, a SHiRA transformer.</summary>
    public static bool ContainsShira(ITransformer model) =>
        model is IShiraPersistable || (TryGetElements(model, out var elements, out _) && elements.Any(ContainsShira));

    /// <summary>Every SHiRA transformer of <paramref name="model"/> (itself, or the elements of chains at any depth), in order.</summary>
    public static IEnumerable<ITransformer> Shira(ITransformer model)
    {
        if (model is IShiraPersistable or IShiraExportable)
            return [model];
        return TryGetElements(model, out var elements, out _) ? elements.SelectMany(Shira) : [];
    }
}
