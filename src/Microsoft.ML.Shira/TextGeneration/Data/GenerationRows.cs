using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextGeneration.Schema;
using Microsoft.ML.Shira.TextGeneration.Training;

namespace Microsoft.ML.Shira.TextGeneration.Data;

/// <summary>
/// Reads an <see cref="IDataView"/> into token sequences. Rows with nothing to learn (empty or whitespace text, or
/// response) are skipped and counted in a warning: language-model data often has blank lines. An empty prompt is kept
/// (the response is conditioned on BOS alone).
/// </summary>
internal static class GenerationRows
{
    /// <summary>Reads and tokenizes every row; throws when no row has a target token.</summary>
    /// <param name="data">The data.</param>
    /// <param name="names">Which columns to read.</param>
    /// <param name="builder">Tokenization into sequences.</param>
    /// <param name="dataName">"training", "validation", … for messages.</param>
    /// <param name="log">Receives the warnings; null when the caller reports nothing (perplexity).</param>
    /// <param name="token">Checked every 64 rows.</param>
    public static List<TokenSequence> Read(
        IDataView data, GenerationColumns names, SequenceBuilder builder, string dataName, MlContextLog? log, CancellationToken token)
    {
        GenerationInputColumns.RequireTraining(data.Schema, names);
        var first = data.Schema[names.IsPromptResponse ? names.Prompt! : names.Text];
        DataViewSchema.Column? second = names.IsPromptResponse ? data.Schema[names.Response!] : null;
        var active = second is { } s ? new[] { first, s } : new[] { first };

        var sequences = new List<TokenSequence>();
        long rows = 0, empty = 0, tooLongPrompt = 0, truncated = 0, splitTexts = 0;
        using var cursor = data.GetRowCursor(active);
        var readFirst = cursor.GetGetter<ReadOnlyMemory<char>>(first);
        var readSecond = second is { } r ? cursor.GetGetter<ReadOnlyMemory<char>>(r) : null;
        ReadOnlyMemory<char> a = default, b = default;
        while (cursor.MoveNext())
        {
            if ((rows++ & 63) == 0)
                token.ThrowIfCancellationRequested();
            readFirst(ref a);
            if (readSecond is null)
            {
                string text = a.ToString();
                if (string.IsNullOrWhiteSpace(text))
                {
                    empty++;
                    continue;
                }
                int before = sequences.Count;
                sequences.AddRange(builder.FromText(text));
                if (sequences.Count - before > 1)
                    splitTexts++;
                continue;
            }

            readSecond(ref b);
            string response = b.ToString();
            if (string.IsNullOrWhiteSpace(response))
            {
                empty++;
                continue;
            }
            var sequence = builder.FromPair(a.ToString(), response, out bool cut);
            if (sequence is null)
            {
                tooLongPrompt++;
                continue;
            }
            if (cut)
                truncated++;
            sequences.Add(sequence);
        }

        string column = names.IsPromptResponse ? $"response '{names.Response}'" : $"text '{names.Text}'";
        if (empty > 0)
            log?.Warning($"Skipped {empty} {dataName} row(s) whose {column} is empty or whitespace.");
        if (tooLongPrompt > 0)
            log?.Warning($"Skipped {tooLongPrompt} {dataName} row(s) whose prompt '{names.Prompt}' fills MaxSequenceLength ({builder.MaxLength} tokens) and leaves no room for the response.");
        if (truncated > 0)
            log?.Warning($"Cut the end of the response of {truncated} {dataName} row(s) longer than MaxSequenceLength ({builder.MaxLength} tokens).");
        if (splitTexts > 0)
            log?.Info($"Split {splitTexts} {dataName} text(s) longer than MaxSequenceLength ({builder.MaxLength} tokens) into windows.");
        if (sequences.Count == 0)
            throw new InvalidOperationException(
                $"The {dataName} data has nothing to learn from: {rows} row(s) read, {empty} with an empty {column}" +
                (tooLongPrompt > 0 ? $", {tooLongPrompt} whose prompt fills MaxSequenceLength" : "") + ".");
        return sequences;
    }
}
