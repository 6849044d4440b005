using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>A pretrained sentence encoder: the <see cref="BertModel"/>, its configuration and its tokenizer. Disposing it disposes the model.</summary>
internal sealed class PretrainedEncoder(string name, BertModel model, BertTextTokenizer tokenizer) : IDisposable
{
    /// <summary>Hugging Face id of the model, e.g. <c>sentence-transformers/all-MiniLM-L6-v2</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The encoder (in eval mode, on the CPU, float32).</summary>
    public BertModel Model { get; } = model;

    /// <summary>The encoder's hyper-parameters.</summary>
    public BertConfig Config => Model.Config;

    /// <summary>The tokenizer the model was trained with.</summary>
    public BertTextTokenizer Tokenizer { get; } = tokenizer;

    /// <summary>
    /// Sentence embeddings as sentence-transformers computes them: tokenize, encode, masked mean pooling and
    /// (when <paramref name="normalize"/>) L2 normalization. Runs without gradients on the model's device.
    /// </summary>
    /// <returns>A <c>[texts, hidden]</c> float tensor on the model's device.</returns>
    public Tensor Embed(IReadOnlyList<string> texts, bool normalize = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var device = Model.parameters().First().device;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var inputs = Tokenizer.Encode(texts).ToTensors(device);
        var hidden = Model.call(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds);
        var pooled = SentencePooling.Mean(hidden, inputs.AttentionMask);
        var result = normalize ? SentencePooling.Normalize(pooled) : pooled;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Disposes the model.</summary>
    public void Dispose() => Model.Dispose();
}
