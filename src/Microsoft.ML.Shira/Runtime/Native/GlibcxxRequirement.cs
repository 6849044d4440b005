using System.Text;

namespace Microsoft.ML.Shira.Runtime.Native;

/// <summary>
/// Reads (never writes) the <c>GLIBCXX_3.4.32</c> version requirement of an ELF64 file: the requirement that the
/// build-time Debian 12 fix (build/WeakenGlibcxxVersion.cs) marks weak in libLibTorchSharp.so.
/// </summary>
internal static class GlibcxxRequirement
{
    public const string Version = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>How the file asks for the version.</summary>
    public enum State
    {
        /// <summary>The file does not ask for it.</summary>
        Absent,

        /// <summary>A hard requirement: the loader refuses a libstdc++ without it.</summary>
        Required,

        /// <summary>Marked weak: the fix is applied.</summary>
        Weak,
    }

    public static State Inspect(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
            throw new InvalidDataException($"'{path}' is not a little-endian ELF64 file.");
        long shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)(shoff + (long)s * shentsize));
            if (BitConverter.ToUInt32(b, sh + 4) != ShtGnuVerneed)
                continue;
            int offset = checked((int)BitConverter.ToUInt64(b, sh + 24));
            int link = (int)BitConverter.ToUInt32(b, sh + 40);
            int count = (int)BitConverter.ToUInt32(b, sh + 44);
            int strtab = checked((int)BitConverter.ToUInt64(b, checked((int)(shoff + (long)link * shentsize)) + 24));
            int vn = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(b, vn + 2);
                int aux = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    int name = strtab + (int)BitConverter.ToUInt32(b, aux + 8);
                    int end = Array.IndexOf(b, (byte)0, name);
                    if (Encoding.ASCII.GetString(b, name, end - name) == Version)
                        return (BitConverter.ToUInt16(b, aux + 4) & VerFlgWeak) != 0 ? State.Weak : State.Required;
                    aux += (int)BitConverter.ToUInt32(b, aux + 12);
                }
                vn += (int)BitConverter.ToUInt32(b, vn + 12);
            }
        }
        return State.Absent;
    }

    /// <summary>Whether the libstdc++ file at <paramref name="path"/> defines the version.</summary>
    public static bool Provides(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Version + "\0")) >= 0;
    }
}
