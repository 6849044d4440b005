using System.Reflection;
using Microsoft.ML.Shira.Tests.Architecture;
using TorchSharp;

namespace Microsoft.ML.Shira.Tests.Reliability.Concurrency;

/// <summary>
/// TorchSharp 0.107 turns numbers into <see cref="Scalar"/> objects that only the GC finalizer frees, and passes their
/// native handle to libtorch after the last managed use: when another thread's allocation triggers a GC during that
/// native call, the finalizer thread can free the Scalar while libtorch reads it (seen here as a failed
/// "toFloat" check in a generation under sustained concurrent load). So the library never creates a Scalar
/// implicitly, nor calls a TorchSharp method that does; it uses <c>Runtime/TorchScalars</c>, which keeps each Scalar
/// alive across the call.
/// </summary>
[TestClass]
public sealed class TorchScalarLifetimeTests
{
    [TestMethod]
    public void TheLibraryCreatesNoScalarThatOnlyTheFinalizerFrees()
    {
        var torchSharp = typeof(Scalar).Assembly;
        var risky = new RiskyTorchMethods(torchSharp);
        var library = typeof(ShiraCatalog).Assembly;
        var offenders = new List<string>();
        foreach (var type in library.GetTypes())
        {
            foreach (var method in type.GetMethods(TypeReferences.Declared).Cast<MethodBase>().Concat(type.GetConstructors(TypeReferences.Declared)))
            {
                var calls = TypeReferences.BodyReferences(method).OfType<MethodBase>().ToList();
                // A Scalar disposed in the same method lives through the calls before it; a static field's never dies.
                bool disposesOrRoots = method is ConstructorInfo { IsStatic: true } || calls.Any(RiskyTorchMethods.DisposesScalar);
                foreach (var called in calls)
                {
                    if (called.Module.Assembly == torchSharp && (RiskyTorchMethods.CreatesScalar(called) ? !disposesOrRoots : risky.IsRisky(called)))
                        offenders.Add($"{type.FullName}.{method.Name} calls {called.DeclaringType?.Name}.{called.Name}({string.Join(", ", called.GetParameters().Select(p => p.ParameterType.Name))})");
                }
            }
        }
        Console.WriteLine($"{offenders.Count} call sites:\n" + string.Join("\n", offenders.Distinct().Order()));
        Assert.IsEmpty(offenders, "Calls that create a TorchSharp Scalar freed only by the finalizer:\n" + string.Join("\n", offenders.Distinct().Order()));
    }

    /// <summary>
    /// TorchSharp methods that create a Scalar (an implicit conversion or <c>ToScalar</c>) without disposing a Scalar
    /// in the same body, or that call such a method.
    /// </summary>
    private sealed class RiskyTorchMethods(Assembly torchSharp)
    {
        private readonly Dictionary<MethodBase, bool> _known = new();

        public bool IsRisky(MethodBase method)
        {
            if (_known.TryGetValue(method, out bool risky))
                return risky;
            _known[method] = false;
            if (CreatesScalar(method))
            {
                _known[method] = true;
                return true;
            }
            var calls = TypeReferences.BodyReferences(method).OfType<MethodBase>().ToList();
            bool disposes = calls.Any(DisposesScalar);
            bool creates = calls.Any(CreatesScalar);
            risky = (creates && !disposes) || calls.Any(c => c.Module.Assembly == torchSharp && !CreatesScalar(c) && IsRisky(c));
            _known[method] = risky;
            return risky;
        }

        public static bool DisposesScalar(MethodBase method) =>
            (method.DeclaringType == typeof(Scalar) || method.DeclaringType == typeof(IDisposable)) && method.Name == nameof(IDisposable.Dispose);

        public static bool CreatesScalar(MethodBase method) =>
            method is MethodInfo info && info.ReturnType == typeof(Scalar) && info.GetParameters().Length == 1
            && (info.Name == "op_Implicit" || info.Name == "ToScalar") && info.GetParameters()[0].ParameterType != typeof(torch.Tensor);
    }
}
