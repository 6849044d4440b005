namespace Microsoft.ML.Shira.Evaluation.Data;

/// <summary>A classification task's training and test rows (already subsampled).</summary>
/// <param name="Name">Short name used in flags and reports (sst2, trec, yelp, amazon, imdb).</param>
/// <param name="Title">Display name.</param>
/// <param name="Train">Training rows.</param>
/// <param name="Test">Test rows.</param>
/// <param name="AvailableTrain">Training rows before subsampling.</param>
/// <param name="AvailableTest">Test rows before subsampling.</param>
internal sealed record TaskData(string Name, string Title, IReadOnlyList<TextRow> Train, IReadOnlyList<TextRow> Test, int AvailableTrain, int AvailableTest)
{
    /// <summary>Distinct labels of the training rows.</summary>
    public int ClassCount => Train.Select(r => r.Label).Distinct().Count();

    /// <summary>True for the UCI sentiment domains.</summary>
    public bool IsUci => TaskCatalog.UciDomains.Contains(Name);
}
