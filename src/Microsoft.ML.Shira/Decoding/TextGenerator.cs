using System.Runtime.CompilerServices;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Decoding;

/// <summary>
/// Generates text with a causal language model: greedy or sampled (temperature, top-k, top-p, seed), with a
/// key/value cache, stop tokens and stop strings, streaming of decoded text pieces and cancellation.
/// The model is used as is (its training/eval mode is not changed); generation runs without gradients.
/// </summary>
internal sealed class TextGenerator
{
    private readonly ICausalLanguageModel _model;
    private readonly ICausalLMTokenizer _tokenizer;
    private readonly int[] _endOfSequenceIds;

    /// <summary>Creates a generator.</summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="endOfSequenceIds">
    /// Ids that end a text for this model (used when <see cref="GenerationOptions.StopAtEndOfSequence"/> is set);
    /// null means the tokenizer's EOS.
    /// </param>
    public TextGenerator(ICausalLanguageModel model, ICausalLMTokenizer tokenizer, IEnumerable<int>? endOfSequenceIds = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _model = model;
        _tokenizer = tokenizer;
        _endOfSequenceIds = (endOfSequenceIds ?? (tokenizer.EosTokenId is int eos ? new[] { eos } : Array.Empty<int>())).ToArray();
    }

    /// <summary>The ids that <see cref="GenerationOptions.StopAtEndOfSequence"/> stops at.</summary>
    public IReadOnlyList<int> EndOfSequenceIds => _endOfSequenceIds;

    /// <summary>The tokenizer.</summary>
    public ICausalLMTokenizer Tokenizer => _tokenizer;

    /// <summary>Generates a continuation of <paramref name="prompt"/> (encoded with BOS).</summary>
    /// <param name="prompt">The prompt text.</param>
    /// <param name="options">Decoding options; null means the defaults.</param>
    /// <param name="onText">Called with each newly decoded piece of text, in order; the pieces concatenate to the result's text.</param>
    /// <param name="cancellationToken">Checked before every token.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public GenerationResult Generate(string prompt, GenerationOptions? options = null, Action<string>? onText = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return Generate(_tokenizer.Encode(prompt, addBos: true), options, onText, cancellationToken);
    }

    /// <summary>Generates a continuation of token ids (give BOS yourself when the model expects it).</summary>
    /// <inheritdoc cref="Generate(string, GenerationOptions?, Action{string}?, CancellationToken)" />
    public GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions? options = null, Action<string>? onText = null, CancellationToken cancellationToken = default)
    {
        using var session = CreateSession(promptIds, options);
        while (!session.IsFinished)
        {
            string piece = session.Step(cancellationToken);
            if (piece.Length > 0)
                onText?.Invoke(piece);
        }
        return session.Result();
    }

    /// <summary>
    /// Streams the continuation of <paramref name="prompt"/> as decoded text pieces. Each token is computed on the
    /// thread pool; the pieces concatenate to the text <see cref="Generate(string, GenerationOptions?, Action{string}?, CancellationToken)"/> returns.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled (checked before every token).</exception>
    public async IAsyncEnumerable<string> StreamAsync(string prompt, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        using var session = CreateSession(_tokenizer.Encode(prompt, addBos: true), options);
        while (!session.IsFinished)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string piece = await Task.Run(() => session.Step(cancellationToken)).ConfigureAwait(false);
            if (piece.Length > 0)
                yield return piece;
        }
    }

    private GenerationSession CreateSession(IReadOnlyList<int> promptIds, GenerationOptions? options)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        options ??= new GenerationOptions();
        options.Validate();
        return new GenerationSession(_model, _tokenizer, promptIds, options, _endOfSequenceIds);
    }
}
