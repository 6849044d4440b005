using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.ModelFiles.Persistence;
using Microsoft.ML.Shira.TextGeneration.Inference;
using Microsoft.ML.Shira.TextGeneration.Persistence;
using Microsoft.ML.Shira.TextGeneration.Schema;

namespace Microsoft.ML.Shira.TextGeneration;

public sealed partial class ShiraTextGenerationTransformer : IShiraPersistable, IShiraExportable
{
    /// <summary>The shared engine (base decoder and adapters).</summary>
    internal GeneratorEngine Engine => _engine;

    /// <summary>The column names.</summary>
    internal GenerationColumnNames Names => _names;

    /// <summary>The selection this transformer generates with.</summary>
    internal DecoderAdapterSelection Selection => _selection;

    string IShiraPersistable.Kind => GenerationTransformerLoader.KindName;

    void IShiraPersistable.WriteTo(ShiraModelWriter writer) => GenerationModelWriter.Write(this, writer);

    void IShiraExportable.ExportAdapter(string adapterName, string directory)
    {
        ThrowIfDisposed();
        var adapter = GetAdapter(adapterName);
        PeftShiraAdapterFile.Save(adapter, directory, GenerationModelWriter.FanInFanOutModules(_engine));
    }

    void IShiraExportable.ExportFused(string directory, IReadOnlyList<(string Name, double Alpha)>? adapters)
    {
        ThrowIfDisposed();
        var selection = adapters is null ? _selection : Fusion(adapters);
        var baseModel = _engine.BaseModel;
        AtomicFile.WriteAll(directory, _engine.WithFused(selection, decoder => DecoderFolderFiles.Create(decoder, baseModel)));
    }
}
