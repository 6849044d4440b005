using Microsoft.ML.Data;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.Tests.Reliability.Concurrency;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// Several adapters on the trained model: switching, fusion, catalog views, and the thread-safety contract (every
/// inference batch is computed by exactly one adapter selection, even while another thread switches).
/// </summary>
[TestClass]
public sealed class AdapterSwitchingTests
{
    private const string Trained = "default";
    private const string Flipped = "flipped";

    private static TrainedSentimentModel Model => TrainedSentimentModel.Get();

    private static ShiraTextClassificationTransformer Shira => Model.Shira;

    [ClassInitialize]
    public static void TrainOnce(TestContext context) => _ = TrainedSentimentModel.Get();

    [TestMethod]
    public void SwitchingChangesPredictionsAndSwitchingBackIsBitExact()
    {
        lock (TrainedSentimentModel.Lock)
        {
            using var flipped = new FlippedAdapter(Shira);
            var rows = Model.TestRowsData.Take(8).ToList();
            var before = Predict(rows);

            Shira.SwitchTo(Flipped);
            CollectionAssert.AreEqual(new[] { (Flipped, 1.0) }, Shira.ActiveAdapters.ToArray());
            Assert.AreEqual(Flipped, Shira.ActiveHead);
            var switched = Predict(rows);
            Shira.SwitchTo(Trained);
            var after = Predict(rows);

            for (int i = 0; i < rows.Count; i++)
                CollectionAssert.AreNotEqual(before[i].Score, switched[i].Score, $"Row {i}: another adapter gives other scores.");
            Assert.IsTrue(Enumerable.Range(0, rows.Count).Any(i => before[i].PredictedLabel != switched[i].PredictedLabel), "The flipped head changes some predictions.");
            for (int i = 0; i < rows.Count; i++)
                CollectionAssert.AreEqual(before[i].Score, after[i].Score, $"Row {i}: switching back must restore the trained model bit for bit.");
            CollectionAssert.AreEqual(new[] { Trained, Flipped }, Shira.Adapters.ToArray());
        }
    }

    [TestMethod]
    public void ConcurrentPredictionEnginesEachSeeOneAdapterPerPrediction()
    {
        lock (TrainedSentimentModel.Lock)
        {
            using var flipped = new FlippedAdapter(Shira);
            var rows = Model.TestRowsData.Take(4).ToList();
            var expectedTrained = Predict(rows).Select(p => p.Score).ToList();
            Shira.SwitchTo(Flipped);
            var expectedFlipped = Predict(rows).Select(p => p.Score).ToList();
            Shira.SwitchTo(Trained);

            int trainedSeen = 0, flippedSeen = 0;
            var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using var done = new CancellationTokenSource();
            var rounds = new ReaderRounds(3, TimeSpan.FromMinutes(1));
            var readers = Enumerable.Range(0, rounds.Readers).Select(reader => Task.Run(() =>
            {
                using var engine = Model.Context.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(Model.Model, EngineOptions.KeepModel);
                while (!done.IsCancellationRequested)
                {
                    for (int i = 0; i < rows.Count; i++)
                    {
                        var score = engine.Predict(rows[i]).Score;
                        if (score.SequenceEqual(expectedTrained[i]))
                            Interlocked.Increment(ref trainedSeen);
                        else if (score.SequenceEqual(expectedFlipped[i]))
                            Interlocked.Increment(ref flippedSeen);
                        else
                            errors.Enqueue($"Reader {reader}, row {i}: [{string.Join(", ", score)}] matches neither adapter.");
                        rounds.Finished(reader);
                    }
                }
            })).ToArray();
            var switcher = Task.Run(() =>
            {
                try
                {
                    // Each selection stays until every reader has made a prediction that started under it.
                    for (int s = 0; s < 30; s++)
                    {
                        Shira.SwitchTo(s % 2 == 0 ? Flipped : Trained);
                        rounds.WaitForEveryReader();
                    }
                }
                finally
                {
                    Shira.SwitchTo(Trained);
                    done.Cancel();
                }
            });
            Assert.IsTrue(Task.WaitAll([.. readers, switcher], TimeSpan.FromMinutes(2)), "Watchdog: the readers and the switcher finish.");

            Assert.IsTrue(errors.IsEmpty, string.Join("\n", errors.Take(5)));
            Assert.IsGreaterThan(0, trainedSeen);
            Assert.IsGreaterThan(0, flippedSeen);
            Console.WriteLine($"{trainedSeen + flippedSeen} concurrent predictions: {trainedSeen} by '{Trained}', {flippedSeen} by '{Flipped}'.");
        }
    }

    [TestMethod]
    public void TransformBatchesRunOneAdapterEachWhileAnotherThreadSwitches()
    {
        lock (TrainedSentimentModel.Lock)
        {
            using var flipped = new FlippedAdapter(Shira);
            var data = Model.Context.Data.LoadFromEnumerable(Model.TestRowsData.Take(96).ToList());
            var expectedTrained = Scores(Shira.Transform(data));
            Shira.SwitchTo(Flipped);
            var expectedFlipped = Scores(Shira.Transform(data));
            Shira.SwitchTo(Trained);

            var view = Shira.Transform(data);
            using var scoreCursor = view.GetRowCursor([view.Schema["Score"]]);
            var getter = scoreCursor.GetGetter<VBuffer<float>>(view.Schema["Score"]);
            var variants = new List<char>();
            VBuffer<float> score = default;
            int row = 0;
            while (scoreCursor.MoveNext())
            {
                if (row % 16 == 8)
                    Shira.SwitchTo(row / 16 % 2 == 0 ? Flipped : Trained);
                getter(ref score);
                var values = score.DenseValues().ToArray();
                variants.Add(values.SequenceEqual(expectedTrained[row]) ? 'T' : values.SequenceEqual(expectedFlipped[row]) ? 'F' : '?');
                row++;
            }
            Shira.SwitchTo(Trained);

            string pattern = new(variants.ToArray());
            Assert.AreEqual(96, pattern.Length);
            Assert.DoesNotContain('?', pattern, pattern);
            // A switch in the middle of a batch takes effect at the next batch: each batch of 16 rows is uniform.
            Assert.AreEqual(new string('T', 16) + new string('F', 16) + new string('T', 16) + new string('F', 16) + new string('T', 16) + new string('F', 16), pattern);
        }
    }

    [TestMethod]
    public void CatalogViewsShareTheModelAndWorkInPipelines()
    {
        lock (TrainedSentimentModel.Lock)
        {
            using var flipped = new FlippedAdapter(Shira);
            var ml = Model.Context;
            var mapLabel = Model.Model.First();
            using var flippedView = ml.Shira().SwitchAdapter(Shira, Flipped);
            using var fusedView = ml.Shira().FuseAdapters(Shira, (Trained, 0.5), (Flipped, 0.25));
            var test = ml.Data.TakeRows(Model.Test, 64);
            var trainedScores = Scores(Shira.Transform(test));

            var flippedMetrics = ml.MulticlassClassification.Evaluate(new TransformerChain<ITransformer>(mapLabel, flippedView).Transform(test));
            var fusedScores = Scores(fusedView.Transform(test));
            var trainedAgain = Scores(Shira.Transform(test));
            var trainedMetrics = ml.MulticlassClassification.Evaluate(Model.Model.Transform(test));

            Assert.AreEqual(Trained, Shira.ActiveHead, "Views keep their own selection; the original is unchanged.");
            CollectionAssert.AreEqual(new[] { (Trained, 0.5), (Flipped, 0.25) }, fusedView.ActiveAdapters.ToArray());
            Assert.AreEqual(Trained, fusedView.ActiveHead);
            Assert.IsLessThan(trainedMetrics.MicroAccuracy, flippedMetrics.MicroAccuracy);
            Assert.IsTrue(fusedScores.Zip(trainedScores).Any(p => !p.First.SequenceEqual(p.Second)), "Fusion changes the scores.");
            for (int i = 0; i < trainedScores.Count; i++)
                CollectionAssert.AreEqual(trainedScores[i], trainedAgain[i], $"Row {i}: the original model is restored bit for bit between views.");
        }
        CollectionAssert.AreEqual(new[] { Trained }, Shira.Adapters.ToArray());
    }

    [TestMethod]
    public void AnAdapterWithOtherLabelsInvalidatesEnginesMadeForTheOldLabels()
    {
        lock (TrainedSentimentModel.Lock)
        {
            var trainedHead = Shira.GetHead(Trained);
            var threeClasses = new ShiraClassificationHead(new float[3 * trainedHead.HiddenSize], [0f, 1f, 0f], ["a", "b", "c"]);
            Shira.AddAdapter(Shira.GetAdapter(Trained).WithName("three"), threeClasses);
            try
            {
                using var engine = Model.Context.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(Model.Model, EngineOptions.KeepModel);
                Shira.SwitchTo("three");

                var error = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(Model.TestRowsData[0]));
                StringAssert.Contains(error.Message, "'three'");
                var schema = Shira.GetOutputSchema(Model.Test.Schema);
                Assert.AreEqual(3UL, ((KeyDataViewType)schema["PredictedLabel"].Type).Count);
                var predictions = Model.Context.Data.CreateEnumerable<SentimentPrediction>(Shira.Transform(Model.Test), reuseRowObject: false).Take(3).ToList();
                Assert.IsTrue(predictions.All(p => p.PredictedLabel == 2 && p.Score.Length == 3));

                Shira.SwitchTo(Trained);
                Assert.HasCount(2, engine.Predict(Model.TestRowsData[0]).Score);
            }
            finally
            {
                Shira.SwitchTo(Trained);
                Shira.RemoveAdapter("three");
            }
        }
    }

    [TestMethod]
    public void AddingAndRemovingAdaptersIsChecked()
    {
        lock (TrainedSentimentModel.Lock)
        {
            var removeActive = Assert.ThrowsExactly<InvalidOperationException>(() => Shira.RemoveAdapter(Trained));
            StringAssert.Contains(removeActive.Message, "switch to another adapter");
            Assert.IsFalse(Shira.RemoveAdapter("missing"));
            Assert.ThrowsExactly<KeyNotFoundException>(() => Shira.SwitchTo("missing"));
            Assert.ThrowsExactly<ArgumentException>(() => Shira.AddAdapter(Shira.GetAdapter(Trained)));
            Assert.ThrowsExactly<ArgumentException>(() => Shira.Fuse([(Trained, 1.0), (Trained, 0.5)]));
            Assert.ThrowsExactly<KeyNotFoundException>(() => Model.Context.Shira().SwitchAdapter(Shira, "missing"));

            // Without a head, an added adapter shares (a copy of) the active head and its labels.
            Shira.AddAdapter(Shira.GetAdapter(Trained).WithName("same-task"));
            Assert.IsTrue(Shira.GetHead("same-task").HasSameLabelsAs(Shira.GetHead(Trained)));
            Assert.IsTrue(Shira.RemoveAdapter("same-task"));
            CollectionAssert.AreEqual(new[] { Trained }, Shira.Adapters.ToArray());
        }
    }

    [TestMethod]
    public void AnEngineThatOwnsAViewDisposesOnlyTheViewsShare()
    {
        lock (TrainedSentimentModel.Lock)
        {
            var view = Model.Context.Shira().SwitchAdapter(Shira, Trained);
            var row = Model.TestRowsData[0];
            float[] expected;
            // ML.NET's default: the engine owns its transformer and disposes it with itself.
            using (var owning = Model.Context.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(view))
                expected = owning.Predict(row).Score.ToArray();

            var error = Assert.ThrowsExactly<ObjectDisposedException>(() => view.Transform(Model.Test));
            StringAssert.Contains(error.Message, "OwnsTransformer = false");
            CollectionAssert.AreEqual(expected, Predict([row])[0].Score, "The shared model outlives the disposed view.");
        }
    }

    private static List<SentimentPrediction> Predict(IEnumerable<SentimentRow> rows)
    {
        using var engine = Model.Context.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(Model.Model, EngineOptions.KeepModel);
        return rows.Select(r =>
        {
            var p = engine.Predict(r);
            return new SentimentPrediction { PredictedLabel = p.PredictedLabel, Score = p.Score.ToArray() };
        }).ToList();
    }

    private static List<float[]> Scores(IDataView scored) =>
        Model.Context.Data.CreateEnumerable<SentimentPrediction>(scored, reuseRowObject: false).Select(p => p.Score).ToList();

    /// <summary>
    /// Adds an adapter "flipped": the trained update negated, with the trained head's class rows swapped (same labels,
    /// mostly inverted predictions). Disposing switches back to the trained adapter and removes it.
    /// </summary>
    private sealed class FlippedAdapter : IDisposable
    {
        private readonly ShiraTextClassificationTransformer _model;

        public FlippedAdapter(ShiraTextClassificationTransformer model)
        {
            _model = model;
            var trained = model.GetAdapter(Trained);
            var layers = trained.Layers.Values.Select(l => new SparseAdapterLayer(l.ModulePath, l.OutFeatures, l.InFeatures, l.Rows, l.Columns, l.Values.Select(v => -v).ToArray()));
            var head = model.GetHead(Trained);
            int hidden = head.HiddenSize;
            var weight = head.Weight.Skip(hidden).Take(hidden).Concat(head.Weight.Take(hidden)).ToArray();
            model.AddAdapter(new SparseAdapter(Flipped, layers, trained.Metadata), new ShiraClassificationHead(weight, [head.Bias[1], head.Bias[0]], head.ClassNames));
        }

        public void Dispose()
        {
            _model.SwitchTo(Trained);
            _model.RemoveAdapter(Flipped);
        }
    }
}
