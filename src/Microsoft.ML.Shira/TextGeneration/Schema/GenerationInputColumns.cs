using Microsoft.ML.Shira.TextClassification.Schema;

namespace Microsoft.ML.Shira.TextGeneration.Schema;

/// <summary>
/// Checks the input columns of SHiRA text generation: every column must exist and be text (String). Mismatches are
/// <see cref="ArgumentOutOfRangeException"/> naming the column, its role and its actual type, as in ML.NET.
/// </summary>
internal static class GenerationInputColumns
{
    /// <summary>The columns training and perplexity read: the text column, or the prompt and response columns.</summary>
    public static void RequireTraining(DataViewSchema schema, GenerationColumnNames names)
    {
        if (names.IsPromptResponse)
        {
            InputColumns.RequireText(schema, names.Prompt!, "prompt");
            InputColumns.RequireText(schema, names.Response!, "response");
        }
        else
        {
            InputColumns.RequireText(schema, names.Text, "text");
        }
    }

    /// <summary>The column generation reads its prompts from.</summary>
    public static DataViewSchema.Column RequirePrompt(DataViewSchema schema, GenerationColumnNames names) =>
        InputColumns.RequireText(schema, names.InferencePrompt, names.Prompt is null ? "text (prompt)" : "prompt");

    /// <summary>The shape-level checks of training and generation, for <c>IEstimator.GetOutputSchema</c>.</summary>
    public static void Require(SchemaShape shape, GenerationColumnNames names)
    {
        if (names.IsPromptResponse)
        {
            InputColumns.RequireText(shape, names.Prompt!, "prompt");
            InputColumns.RequireText(shape, names.Response!, "response");
        }
        else
        {
            InputColumns.RequireText(shape, names.Text, "text");
            if (names.Prompt is not null)
                InputColumns.RequireText(shape, names.Prompt, "prompt");
        }
    }
}
