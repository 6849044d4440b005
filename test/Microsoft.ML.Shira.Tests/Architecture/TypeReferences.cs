using System.Reflection;
using System.Reflection.Emit;

namespace Microsoft.ML.Shira.Tests.Architecture;

/// <summary>
/// The types a compiled type refers to: its base type and interfaces, the types of its fields, properties, method and
/// constructor signatures, and every type, method and field its IL bodies name (so a call or a <c>new</c> counts, not
/// just a signature). Nested and compiler-generated types (closures, iterators, async state machines) count as their
/// outermost declaring type.
/// </summary>
internal static class TypeReferences
{
    public const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The outermost type that declares <paramref name="type"/> (itself when it is not nested).</summary>
    public static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
            type = outer;
        return type;
    }

    /// <summary>Every type of <paramref name="assembly"/> that <paramref name="type"/> refers to, as outermost types.</summary>
    public static IEnumerable<Type> Of(Type type, Assembly assembly)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null)
                return;
            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (var argument in t.GetGenericArguments())
                    Add(argument);
                Add(t.GetGenericTypeDefinition());
                return;
            }
            if (t.IsGenericParameter || t.Assembly != assembly)
                return;
            found.Add(Outermost(t));
        }

        foreach (var member in SelfAndNested(type))
            AddMembers(member, Add);
        found.Remove(type);
        return found;
    }

    /// <summary><paramref name="type"/> and every type nested in it, at any depth.</summary>
    public static IEnumerable<Type> SelfAndNested(Type type) => type.GetNestedTypes(Declared).SelectMany(SelfAndNested).Prepend(type);

    private static void AddMembers(Type type, Action<Type?> Add)
    {
        Add(type.BaseType);
        foreach (var @interface in type.GetInterfaces())
            Add(@interface);
        foreach (var field in type.GetFields(Declared))
            Add(field.FieldType);
        foreach (var property in type.GetProperties(Declared))
            Add(property.PropertyType);
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
                Add(info.ReturnType);
            foreach (var parameter in method.GetParameters())
                Add(parameter.ParameterType);
            foreach (var member in BodyReferences(method))
            {
                switch (member)
                {
                    case Type t:
                        Add(t);
                        break;
                    case MethodBase m:
                        Add(m.DeclaringType);
                        if (m is MethodInfo mi)
                        {
                            Add(mi.ReturnType);
                            foreach (var argument in mi.IsGenericMethod ? mi.GetGenericArguments() : [])
                                Add(argument);
                        }
                        break;
                    case FieldInfo f:
                        Add(f.DeclaringType);
                        Add(f.FieldType);
                        break;
                }
            }
        }
    }

    /// <summary>The types, methods and fields named by <paramref name="method"/>'s IL.</summary>
    public static IEnumerable<MemberInfo> BodyReferences(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (InvalidOperationException)
        {
            il = null;
        }
        if (il is null)
            yield break;
        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
                value = (short)(0xFE00 | il[position++]);
            var opCode = OpCodesByValue[value];
            int operand = position;
            position += OperandSize(opCode.OperandType, il, position);
            if (opCode.OperandType is not (OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok))
                continue;
            MemberInfo? member;
            try
            {
                member = module.ResolveMember(BitConverter.ToInt32(il, operand), typeArguments, methodArguments);
            }
            catch (ArgumentException)
            {
                member = null;
            }
            if (member is not null)
                yield return member;
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int position) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, position),
        _ => 4,
    };
}
