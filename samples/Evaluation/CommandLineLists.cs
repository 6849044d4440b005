namespace Microsoft.ML.Shira.Evaluation;

/// <summary>List options of the commands accept both <c>--seeds 1 2 3</c> and <c>--seeds 1,2,3</c>.</summary>
internal static class CommandLineLists
{
    public static string[] Split(string[] values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
}
