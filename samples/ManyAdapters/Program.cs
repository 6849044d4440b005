// Many adapters, one model: SHiRA adapters for SST-2, TREC and the three UCI review domains on one MiniLM base.
// Switch between them on a saved-and-reloaded model, report each task's accuracy and the switch time, then fuse two.
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Shira;
using Microsoft.ML.Shira.Samples;
using Microsoft.ML.Shira.TextClassification;

int trainRows = args.Length > 0 ? int.Parse(args[0]) : 400;
var mlContext = new MLContext(seed: 1);

var tasks = new List<TaskData>
{
    new("sst2", SampleData.Sst2("train", trainRows), SampleData.Sst2("test", 600)),
    new("trec", SampleData.Trec("train", trainRows), SampleData.Trec("test")),
};
foreach (var domain in new[] { "yelp", "amazon_cells", "imdb" })
{
    var (train, test) = SampleData.Uci(domain);
    tasks.Add(new TaskData(domain, train.Take(trainRows).ToList(), test));
}

// 1. Train one adapter per task. The first model hosts them all: adapters (and their heads) from the other runs are
//    added to it, since every run adapts the same embedded base model.
ShiraTextClassificationTransformer? host = null;
foreach (var task in tasks)
{
    var clock = Stopwatch.StartNew();
    var train = mlContext.Data.LoadFromEnumerable(task.Train);
    task.LabelMap = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(train);
    var model = mlContext.Shira().Train(task.LabelMap.Transform(train), new ShiraTextClassificationOptions
    {
        Sentence1ColumnName = nameof(LabeledText.Text),
        AdapterName = task.Name,
        Epochs = 2,
        MaxSequenceLength = 48,
        Seed = 1,
    });
    if (host is null)
    {
        host = model;
    }
    else
    {
        host.AddAdapter(model.GetAdapter(task.Name), model.GetHead(task.Name));
        model.Dispose();
    }
    Console.WriteLine($"trained '{task.Name}' on {task.Train.Count} rows in {clock.Elapsed:mm\\:ss}");
}

// 2. Save all adapters in one file and load it back: no retraining from here on.
string path = Path.Combine(Path.GetTempPath(), "shira-many-adapters.zip");
var input = mlContext.Data.LoadFromEnumerable(tasks[0].Test);
mlContext.Shira().Model.Save(host!, input.Schema, path);
host!.Dispose();
var loaded = (ShiraTextClassificationTransformer)mlContext.Shira().Model.Load(path, out _);
Console.WriteLine($"saved and reloaded {loaded.Adapters.Count} adapters ({new FileInfo(path).Length / 1024.0 / 1024.0:F1} MB): {string.Join(", ", loaded.Adapters)}");

// 3. Each task with its own adapter.
var single = new Dictionary<string, double>();
foreach (var task in tasks)
{
    single[task.Name] = Accuracy(mlContext, mlContext.Shira().SwitchAdapter(loaded, task.Name), task);
    Console.WriteLine($"  {task.Name,-13} accuracy {single[task.Name]:P2}");
}

// 4. Switch time: fused switching scatters k values in and out (O(k)), whatever the model size.
const int switches = 200;
var timer = Stopwatch.StartNew();
for (int i = 0; i < switches; i++)
    loaded.SwitchTo(tasks[i % tasks.Count].Name);
Console.WriteLine($"switch time: {timer.Elapsed.TotalMilliseconds / switches:F3} ms per switch (mean of {switches}, all 36 adapted matrices)");

// 5. Fuse two review-domain adapters (same labels): one body, evaluated with each domain's own head.
var fusedPair = new[] { ("yelp", 1.0), ("amazon_cells", 1.0) };
foreach (var name in new[] { "yelp", "amazon_cells" })
{
    var task = tasks.Single(t => t.Name == name);
    var fused = mlContext.Shira().FuseAdapters(loaded, fusedPair);
    fused.Fuse(fusedPair, headAdapter: name);
    double accuracy = Accuracy(mlContext, fused, task);
    Console.WriteLine($"  fused yelp+amazon_cells on {name,-13} accuracy {accuracy:P2} ({accuracy - single[name]:+0.00%;-0.00%} vs its own adapter)");
}
loaded.Dispose();

static double Accuracy(MLContext mlContext, ITransformer model, TaskData task)
{
    var test = task.LabelMap!.Transform(mlContext.Data.LoadFromEnumerable(task.Test));
    return mlContext.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
}

/// <summary>One task's data and label mapping.</summary>
internal sealed record TaskData(string Name, List<LabeledText> Train, List<LabeledText> Test)
{
    public ITransformer? LabelMap { get; set; }
}
