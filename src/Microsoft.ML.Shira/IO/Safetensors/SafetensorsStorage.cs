using System.IO.MemoryMappedFiles;

namespace Microsoft.ML.Shira.IO.Safetensors;

/// <summary>
/// Where the bytes of a safetensors file live: an array (archive entries, embedded resources, small files) or a
/// read-only memory map of a file on disk, which has no 2 GB limit and brings into memory only the pages a read touches.
/// </summary>
internal abstract class SafetensorsStorage : IDisposable
{
    /// <summary>Total bytes.</summary>
    public abstract long Length { get; }

    /// <summary>Copies <paramref name="count"/> bytes from <paramref name="offset"/> to <paramref name="destination"/>.</summary>
    public abstract unsafe void CopyTo(long offset, byte* destination, long count);

    /// <summary>Copies <paramref name="count"/> bytes (at most 2 GB) from <paramref name="offset"/> into a new array.</summary>
    public unsafe byte[] ReadArray(long offset, int count)
    {
        var result = new byte[count];
        fixed (byte* destination = result)
            CopyTo(offset, destination, count);
        return result;
    }

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }

    /// <summary>Bytes already in memory.</summary>
    public sealed class InMemory(byte[] bytes) : SafetensorsStorage
    {
        /// <inheritdoc />
        public override long Length => bytes.LongLength;

        /// <inheritdoc />
        public override unsafe void CopyTo(long offset, byte* destination, long count)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, bytes.LongLength);
            fixed (byte* source = bytes)
                Buffer.MemoryCopy(source + offset, destination, count, count);
        }
    }

    /// <summary>A file on disk, mapped read-only. Each copy holds the view's pointer only while it copies.</summary>
    public sealed class Mapped : SafetensorsStorage
    {
        private readonly MemoryMappedFile _map;
        private readonly MemoryMappedViewAccessor _view;

        /// <summary>Maps <paramref name="path"/>, which must not be empty.</summary>
        public Mapped(string path, long length)
        {
            Length = length;
            _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
            try
            {
                _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            }
            catch
            {
                _map.Dispose();
                throw;
            }
        }

        /// <inheritdoc />
        public override long Length { get; }

        /// <inheritdoc />
        public override unsafe void CopyTo(long offset, byte* destination, long count)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, Length);
            var handle = _view.SafeMemoryMappedViewHandle;
            byte* origin = null;
            handle.AcquirePointer(ref origin);
            try
            {
                Buffer.MemoryCopy(origin + _view.PointerOffset + offset, destination, count, count);
            }
            finally
            {
                handle.ReleasePointer();
            }
        }

        /// <inheritdoc />
        public override void Dispose()
        {
            _view.Dispose();
            _map.Dispose();
        }
    }
}
