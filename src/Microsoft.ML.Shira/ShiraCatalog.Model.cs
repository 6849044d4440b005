using Microsoft.ML.Shira.ModelFiles;

namespace Microsoft.ML.Shira;

public sealed partial class ShiraCatalog
{
    /// <summary>
    /// Saving and loading models that contain SHiRA transformers (one zip holding the ML.NET parts, the adapters, their
    /// heads and a base model reference), and exporting adapters as PEFT folders or fused Hugging Face models.
    /// </summary>
    public ShiraModelOperationsCatalog Model => new(Context);
}
