using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextGeneration.Schema;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>Everything a cursor or row needs to generate: the engine, the transformer's current adapters and options, the output schema and the prompt column.</summary>
/// <param name="engine">The shared engine.</param>
/// <param name="selection">The transformer's current adapters.</param>
/// <param name="options">The transformer's current generation options.</param>
/// <param name="outputs">The output schema.</param>
/// <param name="prompt">The input column prompts are read from.</param>
internal sealed class GenerationContext(
    GeneratorEngine engine, Func<GeneratorSelection> selection, Func<GenerationOptions> options, GenerationOutputColumns outputs, DataViewSchema.Column prompt)
{
    public GenerationOutputColumns Outputs { get; } = outputs;

    /// <summary>The input column prompts are read from.</summary>
    public DataViewSchema.Column Prompt { get; } = prompt;

    /// <summary>Generates for one prompt with the transformer's adapters and options as they are when generation starts.</summary>
    public string Generate(string prompt) => engine.Generate(selection, prompt, options(), onText: null, CancellationToken.None).Text;

    /// <summary>True when <paramref name="columns"/> include the output column.</summary>
    public bool NeedsOutput(IEnumerable<DataViewSchema.Column> columns) => columns.Any(c => Outputs.IsOutput(c.Index));
}
