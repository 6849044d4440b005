using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>A loaded causal language model with its tokenizer. Disposing it disposes the model.</summary>
internal sealed class PretrainedDecoder : IDisposable
{
    /// <summary>Wraps a model and tokenizer.</summary>
    /// <param name="name">Name for messages (folder or resource).</param>
    /// <param name="model">The model (owned: disposed with this object).</param>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="endOfSequenceIds">Ids that end a text for this model (e.g. from <c>generation_config.json</c>).</param>
    public PretrainedDecoder(string name, ICausalLanguageModel model, ICausalLMTokenizer tokenizer, IReadOnlyList<int> endOfSequenceIds)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(endOfSequenceIds);
        Name = name;
        Model = model;
        Tokenizer = tokenizer;
        EndOfSequenceIds = endOfSequenceIds;
        Generator = new TextGenerator(model, tokenizer, endOfSequenceIds);
    }

    /// <summary>Name of the model (folder or resource).</summary>
    public string Name { get; }

    /// <summary>The model; for a LLaMA folder a <see cref="Models.Llama.LlamaForCausalLM"/>.</summary>
    public ICausalLanguageModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public ICausalLMTokenizer Tokenizer { get; }

    /// <summary>Ids at which generation stops by default (<see cref="GenerationOptions.StopAtEndOfSequence"/>).</summary>
    public IReadOnlyList<int> EndOfSequenceIds { get; }

    /// <summary>A generator for this model, stopping at <see cref="EndOfSequenceIds"/>.</summary>
    public TextGenerator Generator { get; }

    /// <summary>Disposes the model.</summary>
    public void Dispose() => Model.Module.Dispose();
}
