using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.TextClassification.Inference;
using Microsoft.ML.Shira.TextClassification.Persistence;

namespace Microsoft.ML.Shira.TextClassification;

public sealed partial class ShiraTextClassificationTransformer : IShiraPersistable, IShiraExportable
{
    /// <summary>The selection this transformer classifies with.</summary>
    internal AdapterSelection Selection => _selection;

    string IShiraPersistable.Kind => ClassificationTransformerLoader.KindName;

    void IShiraPersistable.WriteTo(ShiraModelWriter writer) => ClassificationModelWriter.Write(this, writer);

    void IShiraExportable.ExportAdapter(string adapterName, string directory)
    {
        ThrowIfDisposed();
        var adapter = GetAdapter(adapterName);
        var head = GetHead(adapterName);
        PeftShiraAdapterFile.Save(adapter, directory);
        ShiraClassificationHeadFile.Save(head, Path.Combine(directory, ShiraClassificationHeadFile.FileName));
    }

    void IShiraExportable.ExportFused(string directory, IReadOnlyList<(string Name, double Alpha)>? adapters)
    {
        ThrowIfDisposed();
        var selection = adapters is null ? _selection : Fusion(adapters, headAdapter: null);
        var head = _engine.GetHead(selection.Head);
        var tokenizer = _engine.Tokenizer;
        AtomicFile.WriteAll(directory, _engine.WithFused(selection, encoder => EncoderFolderFiles.Create(encoder.Model, tokenizer)));
        ShiraClassificationHeadFile.Save(head, Path.Combine(directory, ShiraClassificationHeadFile.FileName));
    }
}
