using System.Buffers.Binary;

namespace Microsoft.ML.Shira.Tests.Reliability.Fuzzing;

/// <summary>
/// Deterministic mutations of a seed file, as a user's tooling or a damaged disk would make them: bit flips, byte runs,
/// truncations, insertions, deletions, splices of the file's own bytes, interesting integers (0, −1, 2^63, 2^64−1, …)
/// written at aligned offsets, and edits of JSON's structural characters. The same seed and number give the same bytes.
/// </summary>
internal static class Mutator
{
    private static readonly ulong[] InterestingIntegers =
    [
        0, 1, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, int.MaxValue, uint.MaxValue, (ulong)int.MaxValue + 1,
        long.MaxValue, (ulong)long.MaxValue + 1, ulong.MaxValue, ulong.MaxValue - 7,
    ];

    private static readonly byte[] JsonCharacters = "{}[]:,\"\\0123456789-.eE tfn\u00ff"u8.ToArray();

    /// <summary>Mutation <paramref name="number"/> of <paramref name="seed"/> under run seed <paramref name="runSeed"/>.</summary>
    public static byte[] Mutate(byte[] seed, int runSeed, int number, bool isText)
    {
        var random = new Random(StableSeed(runSeed, number, seed.Length));
        var bytes = seed.ToArray();
        int rounds = 1 + random.Next(random.Next(4) == 0 ? 8 : 2);
        for (int round = 0; round < rounds; round++)
            bytes = MutateOnce(bytes, random, isText);
        return bytes;
    }

    /// <summary>
    /// A SplitMix64-style mix of the three values. Not <c>HashCode.Combine</c>: that is randomised per process, so the
    /// same run seed gave other inputs in every process and a failure could not be reproduced.
    /// </summary>
    private static int StableSeed(int runSeed, int number, int length)
    {
        ulong x = (uint)runSeed * 0x9E3779B97F4A7C15UL ^ (uint)number * 0xC2B2AE3D27D4EB4FUL ^ (uint)length * 0x165667B19E3779F9UL;
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x & int.MaxValue);
    }

    private static byte[] MutateOnce(byte[] bytes, Random random, bool isText)
    {
        if (bytes.Length == 0)
            return [(byte)random.Next(256)];
        int kind = random.Next(isText ? 10 : 8);
        int at = random.Next(bytes.Length);
        switch (kind)
        {
            case 0: // flip 1-8 bits
                for (int i = 0, n = 1 + random.Next(8); i < n; i++)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1: // overwrite a run with random, zero or 0xFF bytes
            {
                int length = Math.Min(bytes.Length - at, 1 + random.Next(64));
                int fill = random.Next(3);
                for (int i = 0; i < length; i++)
                    bytes[at + i] = fill == 0 ? (byte)random.Next(256) : fill == 1 ? (byte)0 : (byte)0xFF;
                return bytes;
            }
            case 2: // truncate
                return bytes[..(random.Next(2) == 0 ? at : random.Next(Math.Min(bytes.Length, 64)))];
            case 3: // insert random bytes
            {
                var insert = new byte[1 + random.Next(32)];
                random.NextBytes(insert);
                return Splice(bytes, at, 0, insert);
            }
            case 4: // delete a range
                return Splice(bytes, at, Math.Min(bytes.Length - at, 1 + random.Next(64)), []);
            case 5: // splice: copy another range of the file over this position
            {
                int from = random.Next(bytes.Length);
                int length = Math.Min(Math.Min(bytes.Length - from, bytes.Length - at), 1 + random.Next(256));
                Array.Copy(bytes, from, bytes, at, length);
                return bytes;
            }
            case 6: // duplicate a range in place (grows the file)
            {
                int length = Math.Min(bytes.Length - at, 1 + random.Next(256));
                return Splice(bytes, at + length, 0, bytes.AsSpan(at, length).ToArray());
            }
            case 7: // an interesting integer at an aligned offset (8-byte header lengths, 4-byte protobuf/zip fields)
            {
                ulong value = InterestingIntegers[random.Next(InterestingIntegers.Length)];
                int width = random.Next(2) == 0 ? 8 : 4;
                int offset = random.Next(4) == 0 ? 0 : at / width * width;
                if (offset + width > bytes.Length)
                    return bytes;
                if (width == 8)
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), value);
                else
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), (uint)value);
                return bytes;
            }
            case 8: // replace a JSON structural character by another
            {
                for (int tries = 0; tries < 32; tries++)
                {
                    int i = random.Next(bytes.Length);
                    if (Array.IndexOf(JsonCharacters, bytes[i]) >= 0)
                    {
                        bytes[i] = JsonCharacters[random.Next(JsonCharacters.Length)];
                        break;
                    }
                }
                return bytes;
            }
            default: // deep nesting or a long number inserted at a JSON character
            {
                int depth = 1 + random.Next(2000);
                byte[] insert = random.Next(2) == 0
                    ? [.. Enumerable.Repeat((byte)'[', depth)]
                    : [.. "9"u8.ToArray().SelectMany(_ => Enumerable.Repeat((byte)'9', 1 + random.Next(400)))];
                return Splice(bytes, at, 0, insert);
            }
        }
    }

    /// <summary><paramref name="bytes"/> with <paramref name="remove"/> bytes at <paramref name="at"/> replaced by <paramref name="insert"/>.</summary>
    private static byte[] Splice(byte[] bytes, int at, int remove, byte[] insert)
    {
        var result = new byte[bytes.Length - remove + insert.Length];
        Buffer.BlockCopy(bytes, 0, result, 0, at);
        Buffer.BlockCopy(insert, 0, result, at, insert.Length);
        Buffer.BlockCopy(bytes, at + remove, result, at + insert.Length, bytes.Length - at - remove);
        return result;
    }
}
