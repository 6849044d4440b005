using Microsoft.ML.Shira.Tasks;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>The best k trials' models while a sweep runs; a model that falls out of the top k is disposed at once.</summary>
internal sealed class KeptModels(int capacity) : IDisposable
{
    private readonly List<(SweepTrialResult Result, ShiraTransformer Model)> _best = [];

    public void Offer(SweepTrialResult result, ShiraTransformer? model)
    {
        if (model is null)
            return;
        if (result.Objective is null)
        {
            model.Dispose();
            return;
        }
        _best.Add((result, model));
        _best.Sort((a, b) => b.Result.Objective!.Value.CompareTo(a.Result.Objective!.Value) is var c && c != 0 ? c : a.Result.Id.CompareTo(b.Result.Id));
        while (_best.Count > capacity)
        {
            _best[^1].Model.Dispose();
            _best.RemoveAt(_best.Count - 1);
        }
    }

    /// <summary>
    /// The best model with the other kept trials' adapters (and classifier heads) added to it; their own models are
    /// disposed. An adapter that cannot join (e.g. full fine-tuning changed the base weights) is left out and said why.
    /// </summary>
    public KeptBest? CombineBest()
    {
        if (_best.Count == 0)
            return null;
        var (bestResult, best) = _best[0];
        var names = new List<string> { best.ActiveAdapters[0].Name };
        var skipped = new List<string>();
        foreach (var (result, model) in _best.Skip(1))
        {
            try
            {
                string name = model.ActiveAdapters[0].Name;
                var adapter = model.GetAdapter(name);
                if (best is ShiraTextClassificationTransformer classifier && model is ShiraTextClassificationTransformer other)
                    classifier.AddAdapter(adapter, other.GetHead(name));
                else
                    best.AddAdapter(adapter);
                names.Add(name);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                skipped.Add($"trial {result.Id}: {e.Message}");
            }
            finally
            {
                model.Dispose();
            }
        }
        _best.Clear();
        return new KeptBest(bestResult, best, names, skipped);
    }

    public void Dispose()
    {
        foreach (var (_, model) in _best)
            model.Dispose();
        _best.Clear();
    }
}

/// <summary>The best trial's model and the names of the adapters kept on it.</summary>
internal sealed record KeptBest(SweepTrialResult Result, ShiraTransformer Model, IReadOnlyList<string> Adapters, IReadOnlyList<string> Skipped);
