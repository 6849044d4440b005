using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.ModelFiles.Archive;
using Microsoft.ML.Shira.ModelFiles.Persistence;

namespace Microsoft.ML.Shira.ModelFiles.BaseRecords;

/// <summary>Reloads a base model embedded in a model file, so a transformer loaded from the file can train with its base model.</summary>
internal static class EmbeddedBaseModel
{
    /// <summary>
    /// A function that reads the embedded base model again from the file <paramref name="reader"/> reads, in the type and
    /// on the device its options ask for, and checks its fingerprint when that type is the one the file records (the
    /// fingerprint covers the weights' type); for a model loaded from a stream it throws, since the stream cannot be read again.
    /// </summary>
    /// <param name="reader">The reader of the transformer.</param>
    /// <param name="reference">The base model it records.</param>
    /// <param name="load">Builds the model from the embedded folder's files with the given options.</param>
    /// <param name="fingerprint">The base fingerprint of a model holding plain base weights.</param>
    public static Func<HuggingFaceLoadOptions, TModel> Reloader<TModel>(
        ShiraModelReader reader, BaseModelReference reference, Func<IModelFileSource, HuggingFaceLoadOptions, TModel> load, Func<TModel, string> fingerprint)
        where TModel : IDisposable
    {
        string? path = reader.FilePath;
        string folder = reader.EntryName(reference.EmbeddedFolder!);
        return options =>
        {
            if (path is null)
                throw new InvalidOperationException(
                    $"The base model '{reference.Id}' was embedded in a SHiRA model loaded from a stream and cannot be reloaded; load the model from a file to train with its base model.");
            ModelArchiveReader archive;
            using (var stream = File.OpenRead(path))
                archive = ModelArchiveReader.Open(stream, path, path);
            var model = load(new ArchiveModelFileSource(archive, folder), options);
            if (options.DType != reference.Precision.ToScalarType())
                return model;
            string actual = fingerprint(model);
            if (!string.Equals(actual, reference.Fingerprint, StringComparison.OrdinalIgnoreCase))
            {
                model.Dispose();
                throw new InvalidOperationException($"The base model embedded in '{path}' (entry '{folder}') changed since the model was loaded (fingerprint mismatch).");
            }
            return model;
        };
    }
}
