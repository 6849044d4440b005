using System.Reflection;

namespace Microsoft.ML.Shira.ModelFiles.Persistence;

/// <summary>
/// The loader of every SHiRA transformer kind that model files can hold: each task registers its own with
/// <see cref="ShiraTransformerLoaderAttribute"/> in its folder, so model files know no task.
/// </summary>
internal static class ShiraTransformerLoaders
{
    private static readonly Dictionary<string, IShiraTransformerLoader> ByKind = typeof(ShiraTransformerLoaders).Assembly
        .GetCustomAttributes<ShiraTransformerLoaderAttribute>()
        .Select(a => a.Create())
        .ToDictionary(l => l.Kind, StringComparer.Ordinal);

    /// <summary>Kinds this library can load, sorted.</summary>
    public static IEnumerable<string> Kinds => ByKind.Keys.Order(StringComparer.Ordinal);

    /// <summary>The loader of <paramref name="kind"/>, if this library knows it.</summary>
    public static bool TryGet(string kind, out IShiraTransformerLoader loader) => ByKind.TryGetValue(kind, out loader!);
}

/// <summary>
/// Registers a task's <see cref="IShiraTransformerLoader"/> (a type with a parameterless constructor) with model files:
/// <c>[assembly: ShiraTransformerLoader(typeof(MyTaskTransformerLoader))]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class ShiraTransformerLoaderAttribute(Type loaderType) : Attribute
{
    /// <summary>The loader type.</summary>
    public Type LoaderType { get; } = loaderType;

    /// <summary>A new loader.</summary>
    /// <exception cref="InvalidOperationException">The type is not a loader with a parameterless constructor.</exception>
    public IShiraTransformerLoader Create() =>
        Activator.CreateInstance(LoaderType, nonPublic: true) as IShiraTransformerLoader
        ?? throw new InvalidOperationException($"{LoaderType} is registered as a SHiRA transformer loader but does not implement {nameof(IShiraTransformerLoader)}.");
}
