using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Decoding;

/// <summary>
/// One generation run, advanced one token per <see cref="Step"/>. Each step runs in its own dispose scope and
/// no-grad block on the calling thread, so steps may run on different threads (async streaming).
/// </summary>
internal sealed class GenerationSession : IDisposable
{
    private readonly ICausalLanguageModel _model;
    private readonly GenerationOptions _options;
    private readonly HashSet<int> _stopIds;
    private readonly IReadOnlyList<int> _promptIds;
    private readonly List<int> _generated = new();
    private readonly IKeyValueCache? _cache;
    private readonly TokenSampler _sampler;
    private readonly IncrementalDetokenizer _detokenizer;

    public GenerationSession(ICausalLanguageModel model, ICausalLMTokenizer tokenizer, IReadOnlyList<int> promptIds, GenerationOptions options, IEnumerable<int> endOfSequenceIds)
    {
        if (promptIds.Count == 0)
            throw new ArgumentException("The prompt must hold at least one token id (e.g. BOS).", nameof(promptIds));
        if (promptIds.Any(id => id < 0 || id >= model.VocabularySize))
            throw new ArgumentOutOfRangeException(nameof(promptIds), $"Prompt ids must be in [0, {model.VocabularySize}).");
        _model = model;
        _options = options;
        _promptIds = promptIds.ToArray();
        _stopIds = new HashSet<int>(options.StopTokenIds);
        if (options.StopAtEndOfSequence)
            _stopIds.UnionWith(endOfSequenceIds);
        _detokenizer = new IncrementalDetokenizer(tokenizer, _promptIds, options.StopStrings.ToArray());
        _sampler = new TokenSampler(options);
        _cache = options.UseCache ? model.CreateCache() : null;
        if (_promptIds.Count >= model.MaxPositionEmbeddings)
            StopReason = GenerationStopReason.MaxLength;
    }

    public GenerationStopReason? StopReason { get; private set; }

    public bool IsFinished => StopReason is not null;

    /// <summary>Generates one token; returns the text that became visible (maybe empty).</summary>
    public string Step(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (IsFinished)
            return "";
        int next = _sampler.Next(NextLogits());
        _generated.Add(next);

        string piece = "";
        if (_stopIds.Contains(next))
            StopReason = GenerationStopReason.StopToken;
        else
            piece = _detokenizer.Add(next);

        if (StopReason is null)
        {
            if (_detokenizer.StopStringFound)
                StopReason = GenerationStopReason.StopString;
            else if (_generated.Count >= _options.MaxNewTokens)
                StopReason = GenerationStopReason.MaxNewTokens;
            else if (_promptIds.Count + _generated.Count >= _model.MaxPositionEmbeddings)
                StopReason = GenerationStopReason.MaxLength;
        }
        return IsFinished ? piece + _detokenizer.Flush() : piece;
    }

    public GenerationResult Result() =>
        new(_promptIds, _generated.ToArray(), _detokenizer.Text, StopReason ?? throw new InvalidOperationException("Generation has not finished."));

    public void Dispose()
    {
        _cache?.Dispose();
        _sampler.Dispose();
    }

    private float[] NextLogits()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        IEnumerable<int> input = _cache is not null && _generated.Count > 0
            ? new[] { _generated[^1] }
            : _promptIds.Concat(_generated);
        var ids = tensor(input.Select(id => (long)id).ToArray(), device: _model.Device).unsqueeze(0);
        var logits = _model.Forward(ids, attentionMask: null, cache: _cache, lastPositionOnly: true);
        return logits[0, -1].to(ScalarType.Float32).cpu().data<float>().ToArray();
    }
}
