using Microsoft.ML.Shira.BaseModels;

namespace Microsoft.ML.Shira;

/// <summary>
/// The pretrained encoder a SHiRA model adapts. Every adapter of a model was trained on, and only works with,
/// the base model it names (adapters check a fingerprint of the base weights).
/// </summary>
public sealed class ShiraBaseModel
{
    private readonly Func<PretrainedEncoder> _load;

    private ShiraBaseModel(string id, Func<PretrainedEncoder> load)
    {
        Id = id;
        _load = load;
    }

    /// <summary>
    /// sentence-transformers' all-MiniLM-L6-v2 (6 layers, width 384, 22.7 M parameters), whose weights ship inside
    /// this assembly: no download needed. The default.
    /// </summary>
    public static ShiraBaseModel MiniLmL6V2 { get; } = new(PretrainedEncoders.MiniLmL6V2Name, PretrainedEncoders.MiniLmL6V2);

    /// <summary>Hugging Face id (or, for a local model, the folder) of the base model, e.g. <c>sentence-transformers/all-MiniLM-L6-v2</c>.</summary>
    public string Id { get; }

    /// <summary>True for a base model whose weights ship inside this assembly (a saved model can refer to it by <see cref="Id"/>).</summary>
    internal bool IsBuiltIn => ReferenceEquals(this, MiniLmL6V2);

    /// <summary>Builds a fresh copy of the encoder and its tokenizer; the caller owns (and disposes) it.</summary>
    internal PretrainedEncoder Load() => _load();

    /// <summary>The built-in base model with this id, or null.</summary>
    internal static ShiraBaseModel? FindBuiltIn(string id) => string.Equals(id, MiniLmL6V2.Id, StringComparison.Ordinal) ? MiniLmL6V2 : null;

    /// <summary>A base model that is not built in, e.g. one embedded in a saved model file.</summary>
    internal static ShiraBaseModel Create(string id, Func<PretrainedEncoder> load) => new(id, load);

    /// <inheritdoc />
    public override string ToString() => Id;
}
