using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.ModelFiles.Manifest;

namespace Microsoft.ML.Shira.Tasks;

/// <summary>The active selection in a transformer's settings: the fused adapters as <c>[{ name, alpha }]</c>, plus what its kind adds.</summary>
internal static class SelectionSettings
{
    /// <summary>The fused adapters of <paramref name="selection"/>.</summary>
    public static JsonArray Body(FusedAdapterSelection selection) =>
        new(selection.Body.Select(b => (JsonNode)new JsonObject { ["name"] = b.Name, ["alpha"] = b.Alpha }).ToArray());

    /// <summary>The fused adapters listed in field <paramref name="key"/> of <paramref name="node"/>.</summary>
    public static List<(string Name, double Alpha)> Body(ManifestNode node, string key) =>
        node.Objects(key).Select(a => (a.String("name"), a.Double("alpha"))).ToList();

    /// <summary>
    /// Builds a selection read from the file with <paramref name="create"/> (which checks it as the transformer's Fuse
    /// does) and checks that the file holds each adapter it involves.
    /// </summary>
    /// <param name="node">The settings object holding the selection.</param>
    /// <param name="selectionField">The selection's field of <paramref name="node"/>, or null when <paramref name="node"/> is the selection.</param>
    /// <param name="bodyField">The field of the fused adapters.</param>
    /// <param name="create">Builds the selection; throws <see cref="ArgumentException"/> when it is invalid.</param>
    /// <param name="adapters">Names of the adapters the file holds.</param>
    /// <exception cref="ShiraFormatException">The selection is invalid or involves an adapter the file does not hold.</exception>
    public static TSelection Check<TSelection>(ManifestNode node, string? selectionField, string bodyField, Func<TSelection> create, IReadOnlySet<string> adapters)
        where TSelection : FusedAdapterSelection
    {
        TSelection selection;
        try
        {
            selection = create();
        }
        catch (ArgumentException ex)
        {
            throw node.Error($"is not a valid adapter selection: {ex.Message}", bodyField, ex);
        }
        var unknown = selection.Names.FirstOrDefault(n => !adapters.Contains(n));
        if (unknown is not null)
            throw node.Error($"selects adapter '{unknown}', which the file does not hold.", selectionField);
        return selection;
    }
}
