namespace Microsoft.ML.Shira.TextGeneration.Schema;

/// <summary>The input and output column names of a text generator.</summary>
/// <param name="Text">Plain-text training column.</param>
/// <param name="Prompt">Prompt column (prompt/response training, and inference when set).</param>
/// <param name="Response">Response column of prompt/response training, or null for plain text.</param>
/// <param name="Output">Generated-text column.</param>
internal sealed record GenerationColumns(string Text, string? Prompt, string? Response, string Output)
{
    /// <summary>True when training reads prompt/response pairs.</summary>
    public bool IsPromptResponse => Response is not null;

    /// <summary>The column generation reads its prompts from.</summary>
    public string InferencePrompt => Prompt ?? Text;

    public static GenerationColumns From(ShiraTextGenerationOptions options) =>
        new(options.TextColumnName, options.PromptColumnName, options.ResponseColumnName, options.OutputColumnName);
}
