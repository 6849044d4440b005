using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Adapters.Injection;

/// <summary>Wraps every matching <see cref="Linear"/> of a module tree with an adapter layer made by a factory.</summary>
internal static class LinearInjector
{
    /// <summary>
    /// Replaces each <see cref="Linear"/> whose path matches <paramref name="matcher"/> with <c>factory(path, linear)</c>.
    /// Every other parameter of the model is frozen (requires_grad = false) unless <paramref name="freezeOthers"/> is false.
    /// </summary>
    /// <exception cref="InvalidOperationException">No module matched, or a match is not a Linear.</exception>
    public static IReadOnlyList<InjectedLayer<TLayer>> Inject<TLayer>(
        nn.Module root, TargetModuleMatcher matcher, Func<string, Linear, TLayer> factory, bool freezeOthers = true)
        where TLayer : nn.Module<Tensor, Tensor>
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(factory);

        var targets = new List<(nn.Module Parent, string ChildName, string Path, Linear Linear)>();
        var matchedOther = new List<string>();
        foreach (var (parentPath, parent) in root.named_modules().Prepend(("", root)).DistinctBy(m => m.Item2))
        {
            foreach (var (childName, child) in parent.named_children())
            {
                string path = parentPath.Length == 0 ? childName : parentPath + "." + childName;
                if (!matcher.IsMatch(path))
                    continue;
                if (child is Linear linear)
                    targets.Add((parent, childName, path, linear));
                else if (child is not TLayer)
                    matchedOther.Add($"{path} ({child.GetType().Name})");
            }
        }

        if (targets.Count == 0)
        {
            string detail = matchedOther.Count > 0 ? " Matches that are not Linear layers: " + string.Join(", ", matchedOther.Take(5)) + "." : "";
            throw new InvalidOperationException(
                $"No Linear layer matches the target modules [{string.Join(", ", matcher.Describe())}].{detail} Some module paths of this model: " +
                string.Join(", ", root.named_modules().Select(m => m.name).Where(n => n.Length > 0).Take(8)) + ".");
        }

        if (freezeOthers)
        {
            foreach (var parameter in root.parameters())
                parameter.requires_grad = false;
        }

        var injected = new List<InjectedLayer<TLayer>>(targets.Count);
        foreach (var (parent, childName, path, linear) in targets)
        {
            var layer = factory(path, linear);
            ModuleSurgery.Replace(parent, childName, linear, layer);
            injected.Add(new InjectedLayer<TLayer>(path, layer));
        }
        return injected;
    }

    /// <summary>Replaces every adapter layer of type <typeparamref name="TLayer"/> by the <see cref="Linear"/> <paramref name="unwrap"/> returns.</summary>
    public static int Unwrap<TLayer>(nn.Module root, Func<TLayer, Linear> unwrap) where TLayer : nn.Module<Tensor, Tensor>
    {
        var found = new List<(nn.Module Parent, string Name, TLayer Layer)>();
        foreach (var (_, parent) in root.named_modules().Prepend(("", root)).DistinctBy(m => m.Item2))
        {
            foreach (var (childName, child) in parent.named_children())
            {
                if (child is TLayer layer)
                    found.Add((parent, childName, layer));
            }
        }
        foreach (var (parent, name, layer) in found)
            ModuleSurgery.Replace(parent, name, layer, unwrap(layer));
        return found.Count;
    }
}
