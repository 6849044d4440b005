using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.TextGeneration.Inference;

namespace Microsoft.ML.Shira.TextGeneration;

public sealed partial class ShiraTextGenerationTransformer
{
    /// <summary>The selection this transformer generates with.</summary>
    private GeneratorSelection Current => (GeneratorSelection)Selection;

    /// <summary>
    /// Generates with the plain base model (no adapter) from now on, restoring its weights bit for bit. Same contract as
    /// <see cref="ShiraTransformer.SwitchTo"/>.
    /// </summary>
    public void SwitchToBaseModel() => Select(GeneratorSelection.BaseModel);

    private protected override void Register(SparseAdapter adapter) => _engine.Add(adapter);

    private protected override FusedAdapterSelection SingleAdapter(string name) => GeneratorSelection.Single(name);

    private protected override FusedAdapterSelection CreateFusion(IReadOnlyList<(string Name, double Alpha)> adapters) => new GeneratorSelection(adapters);

    private protected override ShiraTransformer WithSelection(FusedAdapterSelection selection) =>
        new ShiraTextGenerationTransformer(Context, _engine, _names, BatchSize, AppendsEndOfSequence, _generation, (GeneratorSelection)selection);
}
