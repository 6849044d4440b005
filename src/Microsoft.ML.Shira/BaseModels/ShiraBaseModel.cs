using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira;

/// <summary>
/// The pretrained model a SHiRA transformer adapts: an encoder (<see cref="ShiraEncoderBaseModel"/>, for text
/// classification) or a decoder (<see cref="ShiraDecoderBaseModel"/>, for text generation). Every adapter was trained
/// on, and only works with, the base model it names: adapters and model files check a fingerprint of the base weights.
/// </summary>
public abstract class ShiraBaseModel
{
    private readonly Func<IModelFileSource>? _files;

    private protected ShiraBaseModel(string id, Func<IModelFileSource>? files)
    {
        Id = id;
        _files = files;
    }

    /// <summary>
    /// Hugging Face id of a built-in model (e.g. <c>sentence-transformers/all-MiniLM-L6-v2</c>, <c>stories260K</c>), or
    /// the full folder path of a model loaded with <c>FromFolder</c>.
    /// </summary>
    public string Id { get; }

    /// <summary>True when this library ships the model, so a model file can refer to it by <see cref="Id"/>.</summary>
    internal abstract bool IsBuiltIn { get; }

    /// <summary>The model's original files (tokenizer, configuration), or null when it has none to read.</summary>
    internal IModelFileSource? Files => _files?.Invoke();

    /// <inheritdoc />
    public override string ToString() => Id;
}
