using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Tests.Reliability.Concurrency;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>Several adapters on the trained text generator: switching is bit-exact, fusion and catalog views, concurrent use.</summary>
[TestClass]
public sealed class TextGenerationAdapterTests
{
    private const string Trained = "default";
    private const string Halved = "halved";
    private static readonly GenerationOptions Greedy = new() { MaxNewTokens = 30 };
    private static readonly string[] Prompts = ["ROMEO:\n", "Once upon a time"];

    private static TrainedShakespeareModel Model => TrainedShakespeareModel.Get();

    [ClassInitialize]
    public static void TrainOnce(TestContext context) => _ = TrainedShakespeareModel.Get();

    [TestMethod]
    public void SwitchingAwayAndBackIsBitExact()
    {
        lock (TrainedShakespeareModel.Lock)
        {
            var model = Model.Model;
            using var halved = new HalvedAdapter(model);
            var before = Generate(model);
            double perplexityBefore = model.Perplexity(Model.HeldOut);

            model.SwitchTo(Halved);
            var other = Generate(model);
            double perplexityOther = model.Perplexity(Model.HeldOut);
            model.SwitchToBaseModel();
            var baseTexts = Generate(model);
            model.SwitchTo(Trained);
            var after = Generate(model);
            double perplexityAfter = model.Perplexity(Model.HeldOut);

            CollectionAssert.AreNotEqual(before, baseTexts, "The adapter changes what is generated.");
            Assert.AreNotEqual(perplexityBefore, perplexityOther);
            CollectionAssert.AreEqual(before, after, "Switching back restores the generated text.");
            Assert.AreEqual(BitConverter.DoubleToInt64Bits(perplexityBefore), BitConverter.DoubleToInt64Bits(perplexityAfter), "Switching back restores the weights bit for bit.");
            CollectionAssert.AreEqual(new[] { (Trained, 1.0) }, model.ActiveAdapters.ToArray());
            Console.WriteLine($"Held-out perplexity: '{Trained}' {perplexityBefore:F3}, '{Halved}' {perplexityOther:F3}.");
        }
    }

    [TestMethod]
    public void FusingWithAlphaHalfEqualsTheHalvedAdapterAndViewsShareTheModel()
    {
        lock (TrainedShakespeareModel.Lock)
        {
            var model = Model.Model;
            using var halved = new HalvedAdapter(model);
            model.SwitchTo(Halved);
            double halvedPerplexity = model.Perplexity(Model.HeldOut);
            model.SwitchTo(Trained);
            double trainedPerplexity = model.Perplexity(Model.HeldOut);

            using var fused = Model.Context.Shira().FuseAdapters(model, (Trained, 0.5));
            using var view = Model.Context.Shira().SwitchAdapter(model, Halved);
            Assert.AreEqual(halvedPerplexity, fused.Perplexity(Model.HeldOut), 1e-3 * halvedPerplexity, "0.5·S equals the halved values (up to rounding).");
            Assert.AreEqual(halvedPerplexity, view.Perplexity(Model.HeldOut), "A view generates with its own adapter on the shared model.");
            Assert.AreEqual(trainedPerplexity, model.Perplexity(Model.HeldOut), "The original transformer keeps its selection.");
            CollectionAssert.AreEqual(new[] { (Trained, 0.5) }, fused.ActiveAdapters.ToArray());
            Assert.ThrowsExactly<InvalidOperationException>(() => model.RemoveAdapter(Trained), "An adapter in use cannot be removed.");
            Assert.ThrowsExactly<KeyNotFoundException>(() => model.SwitchTo("missing"));
        }
    }

    [TestMethod]
    public void ConcurrentGenerationsEachRunOneAdapterWhileAnotherThreadSwitches()
    {
        lock (TrainedShakespeareModel.Lock)
        {
            var model = Model.Model;
            using var halved = new HalvedAdapter(model);
            string prompt = Prompts[0];
            string trained = model.Generate(prompt, Greedy).Text;
            model.SwitchTo(Halved);
            string other = model.Generate(prompt, Greedy).Text;
            model.SwitchTo(Trained);
            Assert.AreNotEqual(trained, other);

            int trainedSeen = 0, otherSeen = 0;
            var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using var done = new CancellationTokenSource();
            var rounds = new ReaderRounds(2, TimeSpan.FromMinutes(1));
            var readers = Enumerable.Range(0, rounds.Readers).Select(reader => Task.Run(() =>
            {
                while (!done.IsCancellationRequested)
                {
                    string text = model.Generate(prompt, Greedy).Text;
                    if (text == trained)
                        Interlocked.Increment(ref trainedSeen);
                    else if (text == other)
                        Interlocked.Increment(ref otherSeen);
                    else
                        errors.Enqueue($"Reader {reader}: '{text}' matches neither adapter.");
                    rounds.Finished(reader);
                }
            })).ToArray();
            var switcher = Task.Run(() =>
            {
                try
                {
                    // Each selection stays until every reader has made a generation that started under it.
                    for (int s = 0; s < 20; s++)
                    {
                        model.SwitchTo(s % 2 == 0 ? Halved : Trained);
                        rounds.WaitForEveryReader();
                    }
                }
                finally
                {
                    model.SwitchTo(Trained);
                    done.Cancel();
                }
            });
            Assert.IsTrue(Task.WaitAll([.. readers, switcher], TimeSpan.FromMinutes(2)), "The readers and the switcher finish.");

            Assert.IsTrue(errors.IsEmpty, string.Join("\n", errors.Take(5)));
            Assert.IsGreaterThan(0, trainedSeen, "Every reader ran under each adapter.");
            Assert.IsGreaterThan(0, otherSeen, "Every reader ran under each adapter.");
            Console.WriteLine($"{trainedSeen + otherSeen} concurrent generations: {trainedSeen} by '{Trained}', {otherSeen} by '{Halved}'.");
        }
    }

    [TestMethod]
    public void ExportFusedWritesTheListedAdaptersAndLeavesTheSelectionAlone()
    {
        lock (TrainedShakespeareModel.Lock)
        {
            var model = Model.Model;
            using var halved = new HalvedAdapter(model);
            string root = TestPaths.NewTempDirectory();
            try
            {
                var trainedTexts = Generate(model);
                model.SwitchTo(Halved);
                var halvedTexts = Generate(model);
                model.Fuse([(Trained, 1.0), (Halved, -0.5)]);
                var mixedTexts = Generate(model);
                model.SwitchTo(Trained);
                CollectionAssert.AreNotEqual(trainedTexts, halvedTexts);

                string onlyHalved = Path.Combine(root, "halved"), mixed = Path.Combine(root, "mixed");
                Model.Context.Shira().Model.ExportFused(model, onlyHalved, [(Halved, 1.0)]);
                Model.Context.Shira().Model.ExportFused(model, mixed, [(Trained, 1.0), (Halved, -0.5)]);

                CollectionAssert.AreEqual(new[] { (Trained, 1.0) }, model.ActiveAdapters.ToArray(), "Exporting does not change the selection.");
                CollectionAssert.AreEqual(trainedTexts, Generate(model), "... nor the weights the transformer runs.");
                using (var decoder = PretrainedDecoders.Load(onlyHalved))
                    CollectionAssert.AreEqual(halvedTexts, Prompts.Select(p => decoder.Generator.Generate(p, Greedy).Text).ToArray(), "The subset's fused weights.");
                using (var decoder = PretrainedDecoders.Load(mixed))
                    CollectionAssert.AreEqual(mixedTexts, Prompts.Select(p => decoder.Generator.Generate(p, Greedy).Text).ToArray(), "A fusion with its alphas.");
                Assert.ThrowsExactly<KeyNotFoundException>(() => Model.Context.Shira().Model.ExportFused(model, Path.Combine(root, "missing"), [("missing", 1.0)]));
                Assert.IsFalse(Directory.Exists(Path.Combine(root, "missing")), "Nothing is written for an unknown adapter.");
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static string[] Generate(TextGeneration.ShiraTextGenerationTransformer model) => Prompts.Select(p => model.Generate(p, Greedy).Text).ToArray();

    /// <summary>The trained adapter with every value halved, added for the test and removed after it.</summary>
    private sealed class HalvedAdapter : IDisposable
    {
        private readonly TextGeneration.ShiraTextGenerationTransformer _model;

        public HalvedAdapter(TextGeneration.ShiraTextGenerationTransformer model)
        {
            _model = model;
            var trained = model.GetAdapter(Trained);
            var layers = trained.Layers.Values.Select(l => new SparseAdapterLayer(l.ModulePath, l.OutFeatures, l.InFeatures, l.Rows, l.Columns, l.Values.Select(v => v * 0.5f).ToArray()));
            model.AddAdapter(new SparseAdapter(Halved, layers, trained.Metadata));
        }

        public void Dispose()
        {
            _model.SwitchTo(Trained);
            _model.RemoveAdapter(Halved);
        }
    }
}
