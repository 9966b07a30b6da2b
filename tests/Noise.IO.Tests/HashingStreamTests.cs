using System.Security.Cryptography;

namespace Noise.IO.Tests;

public class HashingStreamTests
{
    /// <summary>Written in order, in pieces of every size and by both write paths, the hash is the file's; a write behind the end voids it.</summary>
    [Fact]
    public async Task HashesWhatIsWrittenInOrderAndGivesUpOnAWriteBehindTheEnd()
    {
        var dir = IoTestSupport.TempDir();
        var data = new byte[300_001];
        new Random(3).NextBytes(data);
        var path = Path.Combine(dir, "a.bin");
        string? sha;
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite))
        using (var h = new HashingStream(file))
        {
            h.Write(data, 0, 1);
            h.Write(data.AsSpan(1, 65535));
            await h.WriteAsync(data.AsMemory(65536, 200_000));
            h.WriteByte(data[265536]);
            h.Write(data, 265537, data.Length - 265537);
            h.Flush();
            sha = h.Sha256;
        }
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), sha);

        var patched = Path.Combine(dir, "b.bin");
        using (var file = new FileStream(patched, FileMode.CreateNew, FileAccess.ReadWrite))
        using (var h = new HashingStream(file))
        {
            h.Write(data);
            h.Position = 10;
            h.Write([1, 2, 3]);
            h.Seek(0, SeekOrigin.End);
            Assert.Null(h.Sha256);
        }
    }

    /// <summary>Parquet.Net writes a strain file front to back, so its writer has the hash without reading the file again.</summary>
    [Fact]
    public void TheParquetWriterHashesItsFileWhileWritingIt()
    {
        var dir = IoTestSupport.TempDir();
        int n = (1 << 20) + 777;
        var path = Path.Combine(dir, "s.parquet");
        string? sha;
        using (var w = new ParquetStrainWriter(path, IoTestSupport.Meta(n)))
        {
            Assert.Null(w.Sha256);
            w.Append(IoTestSupport.Ramp(n));
            w.Complete();
            sha = w.Sha256;
        }
        Assert.NotNull(sha);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), sha);
    }
}
