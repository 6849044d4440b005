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
        if (names.IsPromptResponse)
        {
            InputColumnChecks.RequireText(schema, names.Prompt!, "prompt");
            InputColumnChecks.RequireText(schema, names.Response!, "response");
        }
        else
        {
            InputColumnChecks.RequireText(schema, names.Text, "text");
        }
    }

    /// <summary>The column generation reads its prompts from.</summary>
    public static DataViewSchema.Column RequirePrompt(DataViewSchema schema, GenerationColumns names) =>
        InputColumnChecks.RequireText(schema, names.InferencePrompt, names.Prompt is null ? "text (prompt)" : "prompt");

    /// <summary>The shape-level checks of training and generation, for <c>IEstimator.GetOutputSchema</c>.</summary>
    public static void Require(SchemaShape shape, GenerationColumns names)
    {
        if (names.IsPromptResponse)
        {
            InputColumnChecks.RequireText(shape, names.Prompt!, "prompt");
            InputColumnChecks.RequireText(shape, names.Response!, "response");
        }
        else
        {
            InputColumnChecks.RequireText(shape, names.Text, "text");
            if (names.Prompt is not null)
                InputColumnChecks.RequireText(shape, names.Prompt, "prompt");
        }
    }
}
