namespace Microsoft.ML.Shira.Tests.Architecture;

/// <summary>
/// The public surface is a deliberate list (docs/architecture.md, "Public surface"): the ML.NET layer and a small
/// PEFT-style toolkit. A new public type fails this test until it is added here on purpose.
/// </summary>
[TestClass]
public sealed class PublicSurfaceTests
{
    private static readonly string[] MlNetLayer =
    [
        "Microsoft.ML.Shira.FineTuningMethod",
        "Microsoft.ML.Shira.ShiraBaseModel",
        "Microsoft.ML.Shira.ShiraCatalog",
        "Microsoft.ML.Shira.ShiraDecoderBaseModel",
        "Microsoft.ML.Shira.ShiraEncoderBaseModel",
        "Microsoft.ML.Shira.ShiraEstimator`1",
        "Microsoft.ML.Shira.ShiraFormatException",
        "Microsoft.ML.Shira.ShiraInfo",
        "Microsoft.ML.Shira.ShiraPrecision",
        "Microsoft.ML.Shira.ShiraRuntime",
        "Microsoft.ML.Shira.ShiraRuntimeInfo",
        "Microsoft.ML.Shira.ShiraCudaDevice",
        "Microsoft.ML.Shira.ShiraMLContextExtensions",
        "Microsoft.ML.Shira.ShiraTrainerOptionsBase",
        "Microsoft.ML.Shira.ShiraTransformer",
        "Microsoft.ML.Shira.ModelFiles.ShiraModelOperationsCatalog",
        "Microsoft.ML.Shira.ModelFiles.ShiraSaveOptions",
        "Microsoft.ML.Shira.TextClassification.ShiraClassificationHead",
        "Microsoft.ML.Shira.TextClassification.ShiraClassificationHeadFile",
        "Microsoft.ML.Shira.TextClassification.ShiraTextClassificationEstimator",
        "Microsoft.ML.Shira.TextClassification.ShiraTextClassificationOptions",
        "Microsoft.ML.Shira.TextClassification.ShiraTextClassificationProgress",
        "Microsoft.ML.Shira.TextClassification.ShiraTextClassificationTransformer",
        "Microsoft.ML.Shira.TextGeneration.ShiraTextGenerationEstimator",
        "Microsoft.ML.Shira.TextGeneration.ShiraTextGenerationOptions",
        "Microsoft.ML.Shira.TextGeneration.ShiraTextGenerationProgress",
        "Microsoft.ML.Shira.TextGeneration.ShiraTextGenerationTransformer",
        "Microsoft.ML.Shira.Decoding.GenerationOptions",
        "Microsoft.ML.Shira.Decoding.GenerationResult",
        "Microsoft.ML.Shira.Decoding.GenerationStopReason",
        "Microsoft.ML.Shira.Sweeps.AshaSweepTuner",
        "Microsoft.ML.Shira.Sweeps.ChoiceParameter",
        "Microsoft.ML.Shira.Sweeps.GridSweepTuner",
        "Microsoft.ML.Shira.Sweeps.ISweepTrialRunner",
        "Microsoft.ML.Shira.Sweeps.ISweepTuner",
        "Microsoft.ML.Shira.Sweeps.InProcessTrialRunner",
        "Microsoft.ML.Shira.Sweeps.IntegerParameter",
        "Microsoft.ML.Shira.Sweeps.RandomSweepTuner",
        "Microsoft.ML.Shira.Sweeps.RangeParameter",
        "Microsoft.ML.Shira.Sweeps.ShiraSearchSpace",
        "Microsoft.ML.Shira.Sweeps.ShiraSweepExperiment",
        "Microsoft.ML.Shira.Sweeps.ShiraSweepResult",
        "Microsoft.ML.Shira.Sweeps.SweepMetric",
        "Microsoft.ML.Shira.Sweeps.SweepMetricExtensions",
        "Microsoft.ML.Shira.Sweeps.SweepParameter",
        "Microsoft.ML.Shira.Sweeps.SweepParameterNames",
        "Microsoft.ML.Shira.Sweeps.SweepProgress",
        "Microsoft.ML.Shira.Sweeps.SweepProposal",
        "Microsoft.ML.Shira.Sweeps.SweepTrial",
        "Microsoft.ML.Shira.Sweeps.SweepTrialOutcome",
        "Microsoft.ML.Shira.Sweeps.SweepTrialResult",
        "Microsoft.ML.Shira.Sweeps.SweepTrialRun",
        "Microsoft.ML.Shira.Sweeps.SweepTrialStatus",
        "Microsoft.ML.Shira.Sweeps.SweepTrialWork",
        "Microsoft.ML.Shira.Sweeps.SweepTuners",
        "Microsoft.ML.Shira.Sweeps.TpeSweepTuner",
    ];

    private static readonly string[] Toolkit =
    [
        "Microsoft.ML.Shira.Adapters.AdapterMetadata",
        "Microsoft.ML.Shira.Adapters.BaseModelFingerprint",
        "Microsoft.ML.Shira.Adapters.SparseAdapter",
        "Microsoft.ML.Shira.Adapters.SparseAdapterLayer",
        "Microsoft.ML.Shira.Adapters.Fusion.AdapterFusion",
        "Microsoft.ML.Shira.Adapters.Fusion.AdapterOverlap",
        "Microsoft.ML.Shira.Adapters.Fusion.LayerOverlap",
        "Microsoft.ML.Shira.Adapters.Injection.InjectedLayer`1",
        "Microsoft.ML.Shira.Adapters.Injection.ShiraInjection",
        "Microsoft.ML.Shira.Adapters.Injection.ShiraInjectionOptions",
        "Microsoft.ML.Shira.Adapters.Injection.ShiraInjector",
        "Microsoft.ML.Shira.Adapters.Layers.LoraLinear",
        "Microsoft.ML.Shira.Adapters.Layers.ShiraGradientPath",
        "Microsoft.ML.Shira.Adapters.Layers.ShiraGradientPathRule",
        "Microsoft.ML.Shira.Adapters.Layers.ShiraLinear",
        "Microsoft.ML.Shira.Adapters.Switching.FusedAdapterSwitcher",
        "Microsoft.ML.Shira.Masks.ExcludingMask",
        "Microsoft.ML.Shira.Masks.GradientMask",
        "Microsoft.ML.Shira.Masks.IMaskStrategy",
        "Microsoft.ML.Shira.Masks.MaskCalibration",
        "Microsoft.ML.Shira.Masks.MaskFactory",
        "Microsoft.ML.Shira.Masks.MaskType",
        "Microsoft.ML.Shira.Masks.RandomMask",
        "Microsoft.ML.Shira.Masks.ShiraBudget",
        "Microsoft.ML.Shira.Masks.SnipMask",
        "Microsoft.ML.Shira.Masks.StructMask",
        "Microsoft.ML.Shira.Masks.StructMaskAxes",
        "Microsoft.ML.Shira.Masks.WeightMagnitudeMask",
        "Microsoft.ML.Shira.Checkpoints.HuggingFace.HuggingFaceExporter",
        "Microsoft.ML.Shira.Checkpoints.HuggingFace.HuggingFaceLoadOptions",
        "Microsoft.ML.Shira.Checkpoints.HuggingFace.HuggingFaceLoader",
        "Microsoft.ML.Shira.Checkpoints.Peft.PeftAdapterConfig",
        "Microsoft.ML.Shira.Checkpoints.Peft.PeftShiraAdapterFile",
        "Microsoft.ML.Shira.Models.IHuggingFaceModel",
    ];

    [TestMethod]
    public void ThePublicTypesAreExactlyTheDeclaredSurface()
    {
        var actual = typeof(ShiraCatalog).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();
        var expected = MlNetLayer.Concat(Toolkit).Order(StringComparer.Ordinal).ToList();
        var unexpected = actual.Except(expected).ToList();
        var missing = expected.Except(actual).ToList();
        Assert.IsTrue(unexpected.Count == 0 && missing.Count == 0,
            $"Public but not declared: {string.Join(", ", unexpected)}. Declared but not public: {string.Join(", ", missing)}.");
    }

    [TestMethod]
    public void PublicTypesSitInAFewNamespaces()
    {
        var namespaces = typeof(ShiraCatalog).Assembly.GetExportedTypes().Select(t => t.Namespace).Distinct().Count();
        Assert.AreEqual(15, namespaces);
    }

    [TestMethod]
    public void UserFacingOptionsArePublicFields()
    {
        // ML.NET's convention for options classes: settable public fields, no properties to set.
        Type[] options =
        [
            typeof(ShiraTrainerOptionsBase), typeof(TextClassification.ShiraTextClassificationOptions), typeof(TextGeneration.ShiraTextGenerationOptions),
            typeof(Decoding.GenerationOptions), typeof(ModelFiles.ShiraSaveOptions), typeof(global::Microsoft.ML.Shira.Adapters.Injection.ShiraInjectionOptions),
            typeof(global::Microsoft.ML.Shira.Checkpoints.HuggingFace.HuggingFaceLoadOptions),
        ];
        foreach (var type in options)
        {
            var settable = type.GetProperties().Where(p => p.SetMethod is { IsPublic: true } && p.Name != "EqualityContract").Select(p => p.Name).ToList();
            Assert.IsEmpty(settable, $"{type.Name} has settable properties: {string.Join(", ", settable)}.");
            Assert.IsNotEmpty(type.GetFields().Where(f => !f.IsInitOnly && !f.IsLiteral).ToList(), $"{type.Name} has no public fields.");
        }
    }
}
