using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.TextGeneration.Data;
using Microsoft.ML.Shira.TextGeneration.Training;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>
/// One base decoder shared by every view of a SHiRA text generator, its named adapters and the lock that keeps
/// generation consistent with switching.
/// </summary>
/// <remarks>
/// Thread-safety contract (see <see cref="AdapterEngine"/>): every generation (one prompt,
/// all its tokens) and every perplexity batch holds the read lock from the moment it checks which adapters are fused
/// until it is done, so each runs with one consistent adapter selection and several run concurrently.
/// </remarks>
internal sealed class GeneratorEngine : AdapterEngine
{
    /// <summary>Takes ownership of <paramref name="decoder"/> (its model must hold the plain base weights, on <paramref name="device"/>).</summary>
    public GeneratorEngine(ShiraDecoderBaseModel baseModel, PretrainedDecoder decoder, SequenceBuilder sequences, Device device)
        : base(baseModel, decoder, decoder.Model.Module, device, nameof(ShiraTextGenerationTransformer), ShiraTextGenerationTransformer.DisposedMessage)
    {
        Decoder = decoder;
        Sequences = sequences;
    }

    /// <summary>The base decoder; its weights change only under the write lock.</summary>
    private PretrainedDecoder Decoder { get; }

    /// <summary>How texts become token sequences for perplexity (the training settings).</summary>
    public SequenceBuilder Sequences { get; }

    /// <summary>Ids at which generation stops by default.</summary>
    public IReadOnlyList<int> EndOfSequenceIds => Decoder.EndOfSequenceIds;

    /// <summary>Registers an adapter.</summary>
    public void Add(SparseAdapter adapter) => AddEntry(adapter, () => new AdapterEntry(adapter));

    /// <summary>
    /// The decoder's Hugging Face folder with its current weights and the base model's tokenizer files (call under
    /// <see cref="AdapterEngine.WithBaseWeights"/> or <see cref="AdapterEngine.WithFused"/>).
    /// </summary>
    public IReadOnlyList<string> WriteFolder(string directory, long maxShardBytes, IReadOnlyDictionary<string, byte[]> extraFiles) =>
        DecoderFolderFiles.Write(Decoder, BaseModel, directory, maxShardBytes, extraFiles);

    /// <summary>Generates a continuation of <paramref name="prompt"/> with the adapters <paramref name="selection"/> returns when the generation starts.</summary>
    public GenerationResult Generate(Func<GeneratorSelection> selection, string prompt, GenerationOptions options, Action<string>? onText, CancellationToken token) =>
        Run(selection, _ => Decoder.Generator.Generate(prompt, options, onText, token));

    /// <summary>Summed loss of one batch with the adapters of <paramref name="selection"/>.</summary>
    public double BatchLoss(GeneratorSelection selection, SequenceBatch batch) =>
        Run(() => selection, _ => PerplexityMeter.BatchLoss(Decoder.Model, batch, Device));

}
