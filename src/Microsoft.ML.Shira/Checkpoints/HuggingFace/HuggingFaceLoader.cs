using System.Text;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace;

/// <summary>
/// Loads a Hugging Face model folder: <c>config.json</c> (its <c>model_type</c> picks the architecture in
/// <see cref="HuggingFaceArchitectures"/>) and <c>model.safetensors</c> or a sharded <c>model.safetensors.index.json</c>.
/// Every model tensor must be present with the right shape; unknown tensors are rejected; checkpoint names pass through
/// <see cref="IHuggingFaceModel.MapCheckpointTensorName"/>; Conv1D weights of <see cref="IHuggingFaceModel.FanInFanOutModules"/>
/// (stored <c>[in, out]</c>) are transposed into the model's <c>[out, in]</c>; F32/F16/BF16/F64 weights are converted to
/// <see cref="HuggingFaceLoadOptions.DType"/>. Problems raise <see cref="ShiraFormatException"/> naming the file and the tensor.
/// Like <c>transformers</c>' <c>from_pretrained</c>, the model is returned in evaluation mode (dropout off); call
/// <c>train()</c> on its module to fine-tune with dropout.
/// </summary>
public static class HuggingFaceLoader
{
    /// <summary>Name of the model config file.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>Name of the single-file weights.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>Name of the index of sharded weights.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Loads the model in <paramref name="directory"/>.</summary>
    public static IHuggingFaceModel Load(string directory, HuggingFaceLoadOptions? options = null) =>
        Load(new DirectoryModelFileSource(directory), options);

    /// <summary>Loads the model in <paramref name="directory"/>, which must be a <typeparamref name="TModel"/>.</summary>
    public static TModel Load<TModel>(string directory, HuggingFaceLoadOptions? options = null)
        where TModel : class, IHuggingFaceModel =>
        Load<TModel>(new DirectoryModelFileSource(directory), options);

    /// <summary>Loads the model whose files <paramref name="source"/> provides, which must be a <typeparamref name="TModel"/>.</summary>
    internal static TModel Load<TModel>(IModelFileSource source, HuggingFaceLoadOptions? options = null)
        where TModel : class, IHuggingFaceModel
    {
        var model = Load(source, options);
        if (model is TModel typed)
            return typed;
        string type = model.ModelType;
        model.Dispose();
        throw new ShiraFormatException($"Config file '{source.Describe(ConfigFileName)}' describes a '{type}' model, not a {typeof(TModel).Name}.");
    }

    /// <summary>Loads the model whose files <paramref name="source"/> provides.</summary>
    internal static IHuggingFaceModel Load(IModelFileSource source, HuggingFaceLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new HuggingFaceLoadOptions();
        if (!HuggingFaceDTypes.IsSupported(options.DType))
            throw new ArgumentException($"DType {options.DType} is not a floating-point type.", nameof(options));

        var config = ReadConfig(source);
        string modelType = config.ModelType;
        if (!HuggingFaceArchitectures.TryGet(modelType, out var architecture))
            throw new ShiraFormatException(
                $"Config file '{config.Source}' has model_type '{modelType}', which this library cannot load (supported: {string.Join(", ", HuggingFaceArchitectures.ModelTypes)}).");

        using var checkpoint = HuggingFaceCheckpointFiles.Open(source);
        var tensorNames = checkpoint.Names.ToList();
        RequirePlausibleDepth(config, tensorNames.Count, checkpoint.Description);
        // The model is first built on the meta device (shapes only, no memory) and checked against the checkpoint's
        // headers, so a config that asks for more or other tensors than the checkpoint holds fails before any allocation.
        // Every parameter is overwritten from the checkpoint, so the layers skip their random initialisation.
        using var uninitialised = ParameterInit.SkipRandomInit();
        using (var shapes = architecture.Create(config, tensorNames, options.DType, MetaDevice))
            MapTensors(shapes, checkpoint, config.Source);
        var model = architecture.Create(config, tensorNames, options.DType, options.Device);
        try
        {
            CopyWeights(model, checkpoint, config.Source);
            model.Module.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Reads and parses <c>config.json</c>.</summary>
    /// <exception cref="ShiraFormatException">Missing or not a JSON object.</exception>
    internal static HuggingFaceConfig ReadConfig(IModelFileSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        string path = source.Describe(ConfigFileName);
        if (!source.Exists(ConfigFileName))
            throw new ShiraFormatException($"Config file '{path}' does not exist; a Hugging Face model folder needs one.");
        return HuggingFaceConfig.Parse(Encoding.UTF8.GetString(source.ReadAllBytes(ConfigFileName)), path);
    }

    private static readonly Device MetaDevice = new(DeviceType.META);

    /// <summary>The <c>config.json</c> keys that give a model's number of blocks (LLaMA and BERT families, GPT-2, DistilBERT).</summary>
    private static readonly string[] DepthKeys = ["num_hidden_layers", "n_layer", "n_layers"];

    /// <summary>
    /// Every block has at least one tensor, so a config that declares more blocks than the checkpoint has tensors is
    /// refused before even the meta-device model is built (a billion blocks would take minutes and gigabytes of
    /// module objects to build).
    /// </summary>
    private static void RequirePlausibleDepth(HuggingFaceConfig config, int tensorCount, string checkpoint)
    {
        foreach (string key in DepthKeys)
        {
            if (config.Json[key] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue(out long depth) && depth > tensorCount)
                throw new ShiraFormatException(
                    $"Config file '{config.Source}' declares {key} = {depth}, but checkpoint {checkpoint} holds only {tensorCount} tensors (every layer has at least one).");
        }
    }

    private static void CopyWeights(IHuggingFaceModel model, HuggingFaceCheckpointFiles checkpoint, string configSource)
    {
        var expected = model.Module.state_dict();
        var sourceOf = MapTensors(model, checkpoint, configSource);
        foreach (var (name, target) in expected)
        {
            string stored = sourceOf[name];
            var file = checkpoint.FileOf(stored);
            bool transposed = FanInFanOut.IsTransposed(model, name) && target.dim() == 2;
            if (!transposed)
            {
                file.CopyTo(stored, target);
                continue;
            }
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            target.copy_(file.GetTensor(stored).t());
        }
    }

    /// <summary>
    /// The checkpoint tensor of every model tensor, checked: no unexpected, missing or duplicated tensor, every shape as
    /// the model expects (Conv1D weights transposed), every dtype convertible.
    /// </summary>
    private static Dictionary<string, string> MapTensors(IHuggingFaceModel model, HuggingFaceCheckpointFiles checkpoint, string configSource)
    {
        var expected = model.Module.state_dict();
        var sourceOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (string stored in checkpoint.Names.Order(StringComparer.Ordinal))
        {
            string name = model.MapCheckpointTensorName(stored);
            if (model.IsIgnoredCheckpointTensor(name))
                continue;
            if (!expected.ContainsKey(name))
                unexpected.Add(stored);
            else if (!sourceOf.TryAdd(name, stored))
                throw new ShiraFormatException(
                    $"Checkpoint {checkpoint.Description} holds tensor '{name}' twice, as '{sourceOf[name]}' (in '{checkpoint.FileOf(sourceOf[name]).Source}') and as '{stored}' (in '{checkpoint.FileOf(stored).Source}').");
        }
        if (unexpected.Count > 0)
            throw new ShiraFormatException(
                $"Checkpoint {checkpoint.Description} has {unexpected.Count} tensor(s) that the '{model.ModelType}' model of '{configSource}' does not have: {List(unexpected, checkpoint)}.");
        var missing = expected.Keys.Where(n => !sourceOf.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new ShiraFormatException(
                $"Checkpoint {checkpoint.Description} is missing {missing.Count} tensor(s) that the '{model.ModelType}' model of '{configSource}' needs: {string.Join(", ", missing.Take(10).Select(n => $"'{n}'"))}{(missing.Count > 10 ? ", …" : "")}.");

        foreach (var (name, target) in expected)
        {
            string stored = sourceOf[name];
            var file = checkpoint.FileOf(stored);
            var entry = file.GetEntry(stored);
            bool transposed = FanInFanOut.IsTransposed(model, name) && target.dim() == 2;
            long[] storedShape = transposed ? new[] { target.shape[1], target.shape[0] } : target.shape;
            if (!entry.Shape.SequenceEqual(storedShape))
                throw new ShiraFormatException(
                    $"Tensor '{stored}' in '{file.Source}' has shape [{string.Join(", ", entry.Shape)}], but the model of '{configSource}' expects [{string.Join(", ", storedShape)}]" +
                    (transposed ? " (a Conv1D weight stored as [in_features, out_features])." : "."));
            var dtype = SafetensorsDType.ToScalarType(entry.DType);
            bool compatible = HuggingFaceDTypes.IsSupported(target.dtype) ? HuggingFaceDTypes.IsSupported(dtype) : dtype == target.dtype;
            if (!compatible)
                throw new ShiraFormatException(
                    $"Tensor '{stored}' in '{file.Source}' has dtype {entry.DType}, which cannot be loaded into a {target.dtype} tensor (expected F32, F16, BF16 or F64).");
        }
        return sourceOf;
    }

    private static string List(List<string> names, HuggingFaceCheckpointFiles checkpoint) =>
        string.Join(", ", names.Take(10).Select(n => $"'{n}' (in '{checkpoint.FileOf(n).Source}')")) + (names.Count > 10 ? ", …" : "");
}
