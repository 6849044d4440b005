using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>A pretrained sentence encoder: the model and its tokenizer. Disposing it disposes the model.</summary>
internal sealed class PretrainedEncoder(string name, ISentenceEncoder model, IEncoderTokenizer tokenizer) : IDisposable
{
    /// <summary>Hugging Face id of the model, e.g. <c>sentence-transformers/all-MiniLM-L6-v2</c>, or its folder name.</summary>
    public string Name { get; } = name;

    /// <summary>The encoder (in eval mode).</summary>
    public ISentenceEncoder Model { get; } = model;

    /// <summary>The model as BERT (MiniLM and BERT-layout folders: BERT, RoBERTa, XLM-RoBERTa).</summary>
    /// <exception cref="InvalidOperationException">The model is not of BERT's layout (DistilBERT).</exception>
    public BertModel Bert => Model as BertModel
        ?? throw new InvalidOperationException($"The encoder '{Name}' is a '{Model.ModelType}' model, not of BERT's layout.");

    /// <summary>The tokenizer the model was trained with.</summary>
    public IEncoderTokenizer Tokenizer { get; } = tokenizer;

    /// <summary>
    /// Sentence embeddings as sentence-transformers computes them: tokenize, encode, masked mean pooling and
    /// (when <paramref name="normalize"/>) L2 normalization. Runs without gradients on the model's device.
    /// </summary>
    /// <returns>A <c>[texts, hidden]</c> float tensor on the model's device.</returns>
    public Tensor Embed(IReadOnlyList<string> texts, bool normalize = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var device = Model.Module.parameters().First().device;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var inputs = Tokenizer.Encode(texts).ToTensors(device);
        var hidden = Model.Encode(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds);
        var pooled = SentencePooling.Mean(hidden, inputs.AttentionMask);
        var result = normalize ? SentencePooling.Normalize(pooled) : pooled;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Disposes the model.</summary>
    public void Dispose() => Model.Dispose();
}
