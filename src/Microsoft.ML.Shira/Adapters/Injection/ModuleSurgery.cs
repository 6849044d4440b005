using System.Collections;
using System.Reflection;

namespace Microsoft.ML.Shira.Adapters.Injection;

/// <summary>
/// Replaces a child module inside a TorchSharp module tree. TorchSharp modules call their children through C# fields
/// (or the lists of <c>ModuleList</c>/<c>Sequential</c>), so the replacement updates those references as well as
/// the registered submodule, keeping the Hugging Face name.
/// </summary>
internal static class ModuleSurgery
{
    private const BindingFlags InstanceFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
    private static readonly FieldInfo Submodules =
        typeof(nn.Module).GetField("_internal_submodules", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("This TorchSharp version has no Module._internal_submodules; module replacement is unsupported.");

    /// <summary>Finds the module at a dotted path, or null.</summary>
    public static nn.Module? Find(nn.Module root, string path)
    {
        foreach (var (name, module) in root.named_modules())
        {
            if (name == path)
                return module;
        }
        return null;
    }

    /// <summary>Replaces the child of <paramref name="parent"/> registered as <paramref name="childName"/>.</summary>
    /// <exception cref="InvalidOperationException">The parent holds the child in a field that cannot take the replacement.</exception>
    public static void Replace(nn.Module parent, string childName, nn.Module oldChild, nn.Module newChild)
    {
        bool replacedReference = false;
        for (var type = parent.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(InstanceFields))
            {
                if (field.Name == "_internal_submodules")
                    continue;
                object? value = field.GetValue(parent);
                if (ReferenceEquals(value, oldChild))
                {
                    if (!field.FieldType.IsInstanceOfType(newChild))
                        throw new InvalidOperationException(
                            $"Module '{childName}' is held in field {type.Name}.{field.Name} of type {field.FieldType.Name}, which cannot hold a {newChild.GetType().Name}. " +
                            $"Declare the field as Module<Tensor, Tensor> so adapters can wrap it.");
                    field.SetValue(parent, newChild);
                    replacedReference = true;
                }
                else if (value is IList list && !list.IsReadOnly)
                {
                    for (int i = 0; i < list.Count; i++)
                    {
                        if (!ReferenceEquals(list[i], oldChild))
                            continue;
                        try
                        {
                            list[i] = newChild;
                        }
                        catch (ArgumentException ex)
                        {
                            throw new InvalidOperationException($"Module '{childName}' sits in a list of {type.Name} that cannot hold a {newChild.GetType().Name}.", ex);
                        }
                        replacedReference = true;
                    }
                }
            }
        }

        // Containers such as Sequential keep children only in their own lists; others also register them by name.
        var registered = (IDictionary<string, nn.Module>)Submodules.GetValue(parent)!;
        if (registered.ContainsKey(childName))
            registered[childName] = newChild;
        if (!replacedReference)
            throw new InvalidOperationException($"{parent.GetType().Name} registers '{childName}' but holds no field or list referring to it; cannot wrap it.");
    }
}
