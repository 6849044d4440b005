using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextGeneration.Schema;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>Everything a cursor or row needs to generate: the engine, the transformer's current adapters and options, the output schema and the prompt column.</summary>
internal sealed class GenerationContext
{
    private readonly Func<GeneratorSelection> _selection;
    private readonly Func<GenerationOptions> _options;

    public GenerationContext(GeneratorEngine engine, Func<GeneratorSelection> selection, Func<GenerationOptions> options, GenerationOutputColumns outputs, DataViewSchema.Column prompt)
    {
        Engine = engine;
        _selection = selection;
        _options = options;
        Outputs = outputs;
        Prompt = prompt;
    }

    public GeneratorEngine Engine { get; }

    public GenerationOutputColumns Outputs { get; }

    /// <summary>The input column prompts are read from.</summary>
    public DataViewSchema.Column Prompt { get; }

    /// <summary>Generates for one prompt with the transformer's adapters and options as they are when generation starts.</summary>
    public string Generate(string prompt) => Engine.Generate(_selection(), prompt, _options(), onText: null, CancellationToken.None).Text;

    /// <summary>True when <paramref name="columns"/> include the output column.</summary>
    public bool NeedsOutput(IEnumerable<DataViewSchema.Column> columns) => columns.Any(c => Outputs.IsOutput(c.Index));
}
