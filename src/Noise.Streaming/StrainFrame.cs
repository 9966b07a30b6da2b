using System.Buffers.Binary;
using Noise.Core;

namespace Noise.Streaming;

/// <summary>
/// A piece of strain as it arrives: samples [FirstSample, FirstSample + Data.Length) counted from GPS 0 at
/// SampleRate, whether the detector was analysis-ready over it, and when it reached us (Stopwatch ticks).
/// </summary>
public sealed record StrainFrame(long FirstSample, int SampleRate, float[] Data, bool Ready, long ArrivalTicks)
{
    public long EndSample => FirstSample + Data.Length;
    public double GpsStart => (double)FirstSample / SampleRate;
}

/// <summary>
/// The raw frame format of the tcp: and stdin sources, little-endian: a 32-byte header
/// (magic "NZST", uint32 version 1, float64 GPS time of the first sample, uint32 sample rate, uint32 sample
/// count, uint32 flags with bit 0 = analysis-ready, uint32 reserved 0) followed by count float32 samples.
/// </summary>
public static class FrameCodec
{
    public const int HeaderBytes = 32;
    public const uint Magic = 0x5453_5A4E; // "NZST" read as little-endian uint32
    public const int MaxSamples = 1 << 24;

    public static byte[] Encode(double gpsStart, int sampleRate, ReadOnlySpan<float> samples, bool ready)
    {
        var b = new byte[HeaderBytes + 4 * samples.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(b, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 1);
        BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(8), gpsStart);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), (uint)samples.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), ready ? 1u : 0u);
        for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(HeaderBytes + 4 * i), samples[i]);
        return b;
    }

    /// <summary>Reads one frame, or null at a clean end of stream; a malformed header is an error.</summary>
    public static async Task<StrainFrame?> ReadAsync(Stream stream, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var head = new byte[HeaderBytes];
        int got = await ReadFully(stream, head, ct).ConfigureAwait(false);
        if (got == 0) return null;
        if (got < HeaderBytes) throw new EndOfStreamException("frame header cut short");
        if (BinaryPrimitives.ReadUInt32LittleEndian(head) != Magic) throw new InvalidDataException("not a noise strain frame (bad magic; see FrameCodec)");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
        if (version != 1) throw new InvalidDataException($"frame version {version} is not supported (1 is)");
        double gps = BinaryPrimitives.ReadDoubleLittleEndian(head.AsSpan(8));
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(16));
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(20));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(24));
        if (rate is 0 or > 1 << 20 || count > MaxSamples || !double.IsFinite(gps))
            throw new InvalidDataException($"implausible frame header: gps {gps}, rate {rate}, count {count}");
        var body = new byte[4 * count];
        if (await ReadFully(stream, body, ct).ConfigureAwait(false) < body.Length) throw new EndOfStreamException("frame body cut short");
        var data = new float[count];
        for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(body.AsSpan(4 * i));
        return new StrainFrame((long)Math.Round(gps * rate), (int)rate, data, (flags & 1) != 0, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    private static async Task<int> ReadFully(Stream s, byte[] buf, CancellationToken ct)
    {
        int total = 0;
        while (total < buf.Length)
        {
            int n = await s.ReadAsync(buf.AsMemory(total), ct).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}

/// <summary>GPS time now, from the system clock (18 leap seconds since 2017).</summary>
public static class GpsClock
{
    private static readonly DateTime GpsEpoch = new(1980, 1, 6, 0, 0, 0, DateTimeKind.Utc);
    public const int LeapSeconds = 18;
    public static double Now() => (DateTime.UtcNow - GpsEpoch).TotalSeconds + LeapSeconds;
    public static GpsTime NowGps() => GpsTime.FromDecimal((decimal)Math.Round(Now(), 6));
}
