using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Shira;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Samples.Generation;
using Microsoft.ML.Shira.TextGeneration;

// stories260K (a 260K-parameter LLaMA trained on children's stories) learns Shakespeare through a SHiRA adapter:
// 1% of every attention and MLP projection is trainable. Prints held-out perplexity and generations before and after.
var settings = SampleSettings.Parse(args);
var clock = Stopwatch.StartNew();
var ml = new MLContext(seed: 1);
var speeches = ShakespeareData.Read(ShakespeareData.FindFile(Path.Combine("data", "generation", "tinyshakespeare.txt")));
var (train, validation, test) = ShakespeareData.Split(speeches, settings.TrainSpeeches, settings.ValidationSpeeches, settings.TestSpeeches);
Console.WriteLine($"TinyShakespeare: {speeches.Count} speeches; training on {train.Count}, validating on {validation.Count}, held-out test {test.Count}.");

var options = new ShiraTextGenerationOptions
{
    TextColumnName = nameof(Speech.Text),
    Epochs = settings.Epochs,
    BatchSize = 16,
    MaxSequenceLength = 128,
    LearningRate = settings.LearningRate,
    Sparsity = settings.Sparsity,
    ValidationSet = ml.Data.LoadFromEnumerable(validation),
    NumberOfThreads = settings.Threads,
    Seed = 1,
    // Any LLaMA-family or GPT-2 Hugging Face folder (config.json, safetensors, tokenizer files) instead of the built-in model.
    BaseModel = settings.BaseFolder is null ? ShiraDecoderBaseModel.Stories260K : ShiraDecoderBaseModel.FromFolder(settings.BaseFolder),
    // Seeded sampling: greedy decoding of a 260K-parameter model quickly loops on one phrase.
    Generation = new GenerationOptions { MaxNewTokens = 60, DoSample = true, Temperature = 0.8, TopK = 40, Seed = 1 },
    Progress = new ConsoleProgress(),
};
ml.Log += (_, e) =>
{
    if (e.Source == "ShiraTextGeneration" && e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info)
        Console.WriteLine($"  [log] {e.RawMessage}");
};

using var model = ml.Shira().Train(ml.Data.LoadFromEnumerable(train), options);
var testData = ml.Data.LoadFromEnumerable(test);
string[] prompts = ["ROMEO:\n", "First Citizen:\nWe are", "Once upon a time"];

model.SwitchToBaseModel();
double before = model.Perplexity(testData);
var baseTexts = prompts.Select(p => model.Generate(p).Text).ToList();
model.SwitchTo(options.AdapterName);
double after = model.Perplexity(testData);
var adaptedTexts = prompts.Select(p => model.Generate(p).Text).ToList();

var adapter = model.GetAdapter(options.AdapterName);
Console.WriteLine();
Console.WriteLine($"SHiRA adapter: {adapter.ParameterCount:N0} trainable values ({options.Sparsity:P0} of {adapter.Layers.Count} projections).");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Held-out Shakespeare perplexity: base stories260K {before:F2} -> SHiRA {after:F2} ({(1 - after / before):P1} lower)."));
for (int i = 0; i < prompts.Length; i++)
{
    Console.WriteLine();
    Console.WriteLine($"Prompt: {Show(prompts[i])}");
    Console.WriteLine($"  base : {Show(baseTexts[i])}");
    Console.WriteLine($"  SHiRA: {Show(adaptedTexts[i])}");
}

// The same model in an ML.NET pipeline: Transform adds the generated text to each row.
var generated = model.Transform(ml.Data.LoadFromEnumerable(prompts.Take(1).Select(p => new Speech { Text = p })));
var column = ml.Data.CreateEnumerable<GeneratedSpeech>(generated, reuseRowObject: false).Single();
Console.WriteLine();
Console.WriteLine($"Transform → {model.OutputColumnName}: {Show(column.GeneratedText)}");
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F0} s.");

static string Show(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal);

/// <summary>A row of the transformed data view.</summary>
internal sealed class GeneratedSpeech
{
    public string Text { get; set; } = "";

    public string GeneratedText { get; set; } = "";
}
