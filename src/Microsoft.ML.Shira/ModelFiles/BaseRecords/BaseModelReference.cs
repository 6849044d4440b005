using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira.ModelFiles.BaseRecords;

/// <summary>The base model a saved SHiRA transformer needs: its id, the fingerprint and type of its weights and, when embedded, its files.</summary>
/// <param name="Id">Hugging Face id (or name) of the base model.</param>
/// <param name="Fingerprint">SHA-256 over every tensor of the base model's state dict.</param>
/// <param name="Precision">Element type of the base weights the fingerprint was computed over; the model is loaded in it.</param>
/// <param name="Embedded">The embedded Hugging Face model folder, or null when the file refers to a built-in base model by id.</param>
/// <param name="EmbeddedFolder">Entry folder of the embedded base (relative to the transformer's folder), or null.</param>
internal sealed record BaseModelReference(string Id, string Fingerprint, ShiraPrecision Precision, IModelFileSource? Embedded, string? EmbeddedFolder);
