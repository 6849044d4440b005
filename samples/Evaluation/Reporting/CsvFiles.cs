using System.Globalization;
using System.Text;
using Microsoft.ML.Shira.Evaluation.Fusion;
using Microsoft.ML.Shira.Evaluation.Runs;

namespace Microsoft.ML.Shira.Evaluation.Reporting;

/// <summary>Raw per-run rows as CSV (invariant culture, one row per run or per fused task).</summary>
internal static class CsvFiles
{
    public static void WriteRuns(string path, IEnumerable<RunResult> runs) =>
        Write(path, "task,method,method_display,seed,train_rows,test_rows,accuracy,macro_f1,trainable_encoder_parameters,head_parameters,changed_share,train_seconds,peak_memory_mb,note",
            runs.Select(r => Line(r.Task, r.MethodId, r.MethodDisplay, r.Seed, r.TrainRows, r.TestRows, r.Accuracy, r.MacroF1, r.TrainableEncoderParameters,
                r.HeadParameters, r.ChangedShare, r.TrainSeconds, r.PeakMemoryMb, r.Note)));

    public static void WriteFusion(string path, IEnumerable<FusionRow> rows) =>
        Write(path, "variant,task,seed,single_accuracy,fused_accuracy,drop",
            rows.Select(r => Line(r.Variant, r.Task, r.Seed, r.SingleAccuracy, r.FusedAccuracy, r.Drop)));

    public static void WriteOverlap(string path, IEnumerable<OverlapRow> rows) =>
        Write(path, "variant,task_a,task_b,seed,shared_share,jaccard,awom,awor",
            rows.Select(r => Line(r.Variant, r.TaskA, r.TaskB, r.Seed, r.SharedShare, r.Jaccard, r.Awom, r.Awor)));

    private static void Write(string path, string header, IEnumerable<string> lines) =>
        File.WriteAllLines(path, lines.Prepend(header), new UTF8Encoding(false));

    private static string Line(params object[] values) => string.Join(",", values.Select(Cell));

    private static string Cell(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s when s.Contains(',') || s.Contains('"') => "\"" + s.Replace("\"", "\"\"") + "\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
