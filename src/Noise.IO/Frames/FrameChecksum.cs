using System.Buffers.Binary;

namespace Noise.IO.Frames;

/// <summary>
/// The frame format's checksum: the POSIX cksum CRC (polynomial 0x04C11DB7, most significant bit first, the byte
/// count appended, complemented). Computed eight bytes at a time (slicing-by-8 tables): a frame's data are
/// checksummed twice, in their structure and in the file, and byte at a time that was most of a frame's read time.
/// </summary>
public static class FrameChecksum
{
    private static readonly uint[][] Tables = BuildTables();

    /// <summary>The checksum of <paramref name="data"/> in one call.</summary>
    public static uint Cksum(ReadOnlySpan<byte> data) => Finish(Update(0, data), (ulong)data.Length);

    /// <summary>The running CRC after <paramref name="data"/> (start from 0; call again for the next piece).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Tables;
        uint[] t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4], t5 = t[5], t6 = t[6], t7 = t[7];
        while (data.Length >= 8)
        {
            // the first four bytes meet the register; each byte's table is the one for the bytes still to follow it
            uint x = crc ^ BinaryPrimitives.ReadUInt32BigEndian(data);
            crc = t7[x >> 24] ^ t6[(x >> 16) & 0xFF] ^ t5[(x >> 8) & 0xFF] ^ t4[x & 0xFF]
                ^ t3[data[4]] ^ t2[data[5]] ^ t1[data[6]] ^ t0[data[7]];
            data = data[8..];
        }
        foreach (var b in data) crc = (crc << 8) ^ t0[(byte)((crc >> 24) ^ b)];
        return crc;
    }

    /// <summary>Appends the byte count (least significant byte first, as cksum does) and complements.</summary>
    public static uint Finish(uint crc, ulong length)
    {
        for (ulong n = length; n != 0; n >>= 8) crc = (crc << 8) ^ Tables[0][(byte)((crc >> 24) ^ (byte)n)];
        return ~crc;
    }

    private static uint[][] BuildTables()
    {
        var t = new uint[8][];
        t[0] = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i << 24;
            for (int k = 0; k < 8; k++) c = (c & 0x80000000u) != 0 ? (c << 1) ^ 0x04C11DB7u : c << 1;
            t[0][i] = c;
        }
        // t[k][v]: the register after byte v and then k zero bytes
        for (int k = 1; k < 8; k++)
        {
            t[k] = new uint[256];
            for (int i = 0; i < 256; i++) t[k][i] = (t[k - 1][i] << 8) ^ t[0][t[k - 1][i] >> 24];
        }
        return t;
    }
}
