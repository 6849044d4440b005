namespace Microsoft.ML.Shira.ModelFiles.Persistence;

/// <summary>A SHiRA transformer whose adapters can be exported as PEFT folders and fused into a Hugging Face model folder.</summary>
internal interface IShiraExportable : ITransformer
{
    /// <summary>Names of the transformer's adapters.</summary>
    IReadOnlyList<string> Adapters { get; }

    /// <summary>Writes adapter <paramref name="adapterName"/> as a PEFT folder, plus the kind's extra files (e.g. a classifier head).</summary>
    void ExportAdapter(string adapterName, string directory);

    /// <summary>Writes the base model with <paramref name="adapters"/> (default: the active ones) fused in, as a Hugging Face model folder.</summary>
    void ExportFused(string directory, IReadOnlyList<(string Name, double Alpha)>? adapters);
}
