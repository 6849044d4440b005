using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.Tasks;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;
using Microsoft.ML.Shira.Training;
using Microsoft.ML.Shira.Training.Masks;

namespace Microsoft.ML.Shira.Tests.Architecture;

/// <summary>
/// The library's stages depend only on earlier ones (docs/architecture.md): checked on the compiled assembly, over
/// every type reference in signatures and IL, so a new back-edge fails here whether it comes through a <c>using</c>, a
/// fully qualified name or a type of the root namespace.
/// </summary>
[TestClass]
public sealed class LayeringTests
{
    private const string Root = "Microsoft.ML.Shira";

    /// <summary>The stages, lowest first; a type may refer to types of its own stage and of earlier ones.</summary>
    private static readonly (string Stage, string[] Namespaces)[] Stages =
    [
        ("Runtime", ["Runtime"]),
        ("IO", ["IO"]),
        ("Text", ["Text"]),
        ("Models", ["Models"]),
        ("Masks", ["Masks"]),
        ("Adapters", ["Adapters"]),
        ("Adapters.Layers", ["Adapters.Layers"]),
        ("Adapters.Fusion", ["Adapters.Fusion"]),
        ("Adapters.Switching", ["Adapters.Switching"]),
        ("Adapters.Injection", ["Adapters.Injection"]),
        ("Checkpoints", ["Checkpoints"]),
        ("Decoding", ["Decoding"]),
        ("BaseModels", ["BaseModels"]),
        ("Training", ["Training"]),
        ("Inference", ["Inference"]),
        ("ModelFiles", ["ModelFiles"]),
        ("Tasks", ["Tasks"]),
        ("TextClassification", ["TextClassification"]),
        ("TextGeneration", ["TextGeneration"]),
        ("Sweeps", ["Sweeps"]),
        ("Catalog", []),
    ];

    /// <summary>Public types of the root namespace (the front door) that belong to a lower stage; the rest of the root is the catalog.</summary>
    private static readonly Dictionary<string, string> RootTypeStages = new(StringComparer.Ordinal)
    {
        ["ShiraInfo"] = "Runtime",
        ["ShiraRuntime"] = "Runtime",
        ["ShiraRuntimeInfo"] = "Runtime",
        ["ShiraCudaDevice"] = "Runtime",
        ["ShiraFormatException"] = "IO",
        ["ShiraBaseModel"] = "BaseModels",
        ["ShiraPrecision"] = "BaseModels",
        ["ShiraEncoderBaseModel"] = "BaseModels",
        ["ShiraDecoderBaseModel"] = "BaseModels",
        ["FineTuningMethod"] = "Training",
        ["ShiraTrainerOptionsBase"] = "Training",
        ["ShiraTransformer"] = "Tasks",
        ["ShiraEstimator`1"] = "Tasks",
    };

    /// <summary>Stages at the same height that must not know each other: one task never imports another.</summary>
    private static readonly string[] Peers = ["TextClassification", "TextGeneration"];

    private static readonly System.Reflection.Assembly Library = typeof(ShiraCatalog).Assembly;

    [TestMethod]
    public void EveryStageDependsOnlyOnEarlierStages()
    {
        var order = Stages.Select((s, i) => (s.Stage, i)).ToDictionary(p => p.Stage, p => p.i);
        var violations = new List<string>();
        foreach (var type in Library.GetTypes().Where(t => !t.IsNested && t.Namespace is not null && t.Namespace.StartsWith(Root, StringComparison.Ordinal)))
        {
            string from = StageOf(type);
            foreach (var used in TypeReferences.Of(type, Library))
            {
                if (used.Namespace is null || !used.Namespace.StartsWith(Root, StringComparison.Ordinal))
                    continue;
                string to = StageOf(used);
                bool peers = from != to && Peers.Contains(from) && Peers.Contains(to);
                if (peers || order[to] > order[from])
                    violations.Add($"{type.FullName} ({from}) -> {used.FullName} ({to})");
            }
        }
        Assert.IsEmpty(violations, "Back-edges between stages:\n" + string.Join("\n", violations.Order(StringComparer.Ordinal)));
    }

    [TestMethod]
    public void TaskInferenceDoesNotReachIntoTaskTraining()
    {
        var violations = new List<string>();
        foreach (string task in Peers)
        {
            string inference = $"{Root}.{task}.Inference", training = $"{Root}.{task}.Training";
            foreach (var type in Library.GetTypes().Where(t => !t.IsNested && t.Namespace == inference))
            {
                violations.AddRange(TypeReferences.Of(type, Library)
                    .Where(u => u.Namespace == training)
                    .Select(u => $"{type.FullName} -> {u.FullName}"));
            }
        }
        Assert.IsEmpty(violations, string.Join("\n", violations));
    }

    [TestMethod]
    public void TheScannerSeesSignaturesCallsAndLambdas()
    {
        // A base class, a field or signature, a call inside a method body, and a call inside a lambda (a closure type).
        CollectionAssert.Contains(TypeReferences.Of(typeof(ShiraTextClassificationTransformer), Library).ToList(), typeof(ShiraTransformer));
        CollectionAssert.Contains(TypeReferences.Of(typeof(ShiraCatalog), Library).ToList(), typeof(ShiraTextGenerationEstimator));
        CollectionAssert.Contains(TypeReferences.Of(typeof(LoopState<>), Library).ToList(), typeof(LearningRateSchedule));
        CollectionAssert.Contains(TypeReferences.Of(typeof(AdapterFineTuning), Library).ToList(), typeof(ShiraMaskSelection));
        CollectionAssert.Contains(TypeReferences.Of(typeof(SelectionSettings), Library).ToList(), typeof(FusedAdapterSelection));
    }

    [TestMethod]
    public void EveryNamespaceHasAStage()
    {
        var unknown = Library.GetTypes()
            .Where(t => !t.IsNested && t.Namespace is not null && t.Namespace.StartsWith(Root, StringComparison.Ordinal))
            .Select(t => (Type: t, Stage: TryStageOf(t)))
            .Where(t => t.Stage is null && t.Type.Namespace != Root)
            .Select(t => t.Type.FullName)
            .ToList();
        Assert.IsEmpty(unknown, "Types outside every stage: " + string.Join(", ", unknown));
    }

    private static string StageOf(Type type) => TryStageOf(type) ?? "Catalog";

    private static string? TryStageOf(Type type)
    {
        var outer = TypeReferences.Outermost(type);
        if (outer.Namespace == Root)
            return RootTypeStages.TryGetValue(outer.Name, out var stage) ? stage : "Catalog";
        string relative = outer.Namespace![(Root.Length + 1)..];
        return Stages
            .Where(s => s.Namespaces.Any(n => relative == n || relative.StartsWith(n + ".", StringComparison.Ordinal)))
            .Select(s => (s.Stage, Length: s.Namespaces.Max(n => relative == n || relative.StartsWith(n + ".", StringComparison.Ordinal) ? n.Length : 0)))
            .OrderByDescending(s => s.Length)
            .Select(s => s.Stage)
            .FirstOrDefault();
    }
}
