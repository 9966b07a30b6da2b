using System.Security.Cryptography;

namespace Noise.IO;

/// <summary>
/// A write-through stream that takes the SHA-256 of what is written while it is written, for run.json: re-reading a
/// 268 MB file to hash it cost a fifth of a 4096 s run. The hash holds only while every write lands at the end of
/// what was hashed so far (a writer that seeks back to patch a header breaks it, and <see cref="Sha256"/> is then
/// null: the caller hashes the finished file instead), so it can never describe bytes the file does not hold.
/// </summary>
public sealed class HashingStream(Stream inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _hashed;
    private bool _broken;
    private string? _final;

    /// <summary>The lower-case hex SHA-256 of the whole stream, or null if it was not written strictly in order. Call once writing is done.</summary>
    public string? Sha256
    {
        get
        {
            if (_final is not null) return _final;
            if (_broken || _hashed != inner.Length) return null;
            return _final = Convert.ToHexStringLower(_hash.GetHashAndReset());
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (inner.Position != _hashed || _final is not null) _broken = true;
        inner.Write(buffer);
        if (!_broken) { _hash.AppendData(buffer); _hashed += buffer.Length; }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (inner.Position != _hashed || _final is not null) _broken = true;
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (!_broken) { _hash.AppendData(buffer.Span); _hashed += buffer.Length; }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void SetLength(long value)
    {
        if (value < _hashed) _broken = true;
        inner.SetLength(value);
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
