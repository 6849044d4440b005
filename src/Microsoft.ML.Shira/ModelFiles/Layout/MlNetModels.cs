using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.ModelFiles.Layout;

/// <summary>Ordinary ML.NET models and schemas stored as nested ML.NET model zips (<c>mlContext.Model.Save/Load</c>).</summary>
internal static class MlNetModels
{
    /// <summary>The ML.NET model zip of <paramref name="model"/> with its input schema.</summary>
    public static byte[] Save(MLContext context, ITransformer model, DataViewSchema inputSchema)
    {
        using var buffer = new MemoryStream();
        context.Model.Save(model, inputSchema, buffer);
        return buffer.ToArray();
    }

    /// <summary>An ML.NET model zip holding only <paramref name="schema"/> (with its annotations), as the input schema of an empty chain.</summary>
    public static byte[] SaveSchema(MLContext context, DataViewSchema schema) => Save(context, new TransformerChain<ITransformer>(), schema);

    /// <summary>Loads an ML.NET model zip stored in the entry <paramref name="entry"/> of <paramref name="source"/>.</summary>
    /// <exception cref="ShiraFormatException">ML.NET cannot load it; the message names file and entry.</exception>
    public static ITransformer Load(MLContext context, byte[] data, string source, string entry, out DataViewSchema inputSchema)
    {
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            return context.Model.Load(stream, out inputSchema);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ShiraFormatException($"SHiRA model file '{source}': entry '{entry}' is not an ML.NET model that mlContext.Model.Load can read: {ex.Message}", ex);
        }
    }

    /// <summary>The schema stored by <see cref="SaveSchema"/>.</summary>
    public static DataViewSchema LoadSchema(MLContext context, byte[] data, string source, string entry)
    {
        var model = Load(context, data, source, entry, out var schema);
        (model as IDisposable)?.Dispose();
        return schema ?? throw new ShiraFormatException($"SHiRA model file '{source}': entry '{entry}' holds no input schema.");
    }
}
