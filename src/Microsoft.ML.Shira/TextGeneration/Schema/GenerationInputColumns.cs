using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.TextGeneration.Schema;

/// <summary>
/// Checks the input columns of SHiRA text generation: every column must exist and be text (String). Mismatches are
/// <see cref="ArgumentOutOfRangeException"/> naming the column, its role and its actual type, as in ML.NET.
/// </summary>
internal static class GenerationInputColumns
{
    /// <summary>The columns training and perplexity read: the text column, or the prompt and response columns.</summary>
    public static void RequireTraining(DataViewSchema schema, GenerationColumns names)
    {
        foreach (var (column, role) in Columns(names, withInferencePrompt: false))
            InputColumnChecks.RequireText(schema, column, role);
    }

    /// <summary>The column generation reads its prompts from.</summary>
    public static DataViewSchema.Column RequirePrompt(DataViewSchema schema, GenerationColumns names) =>
        InputColumnChecks.RequireText(schema, names.InferencePrompt, names.Prompt is null ? "text (prompt)" : "prompt");

    /// <summary>The shape-level checks of training and generation, for <c>IEstimator.GetOutputSchema</c>.</summary>
    public static void Require(SchemaShape shape, GenerationColumns names)
    {
        foreach (var (column, role) in Columns(names, withInferencePrompt: true))
            InputColumnChecks.RequireText(shape, column, role);
    }

    /// <summary>The columns training reads with their roles, and the prompt column of plain-text training when asked for.</summary>
    private static (string Column, string Role)[] Columns(GenerationColumns names, bool withInferencePrompt) =>
        names.IsPromptResponse ? [(names.Prompt!, "prompt"), (names.Response!, "response")]
        : withInferencePrompt && names.Prompt is not null ? [(names.Text, "text"), (names.Prompt, "prompt")]
        : [(names.Text, "text")];
}
