using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using Noise.Core;

namespace Noise.IO.Frames;

/// <summary>One channel to write: a time series of one rate over the frame.</summary>
public sealed record GwfOutputChannel(string Name, double SampleRate, float[] Data, string Unit = "strain");

/// <summary>
/// Writes one-frame IGWD files (format version 8, little-endian): the FrSH/FrSE dictionary of the classes used
/// (FrameH, FrDetector, FrHistory, FrProcData, FrVect, FrEndOfFrame, FrTOC, FrEndOfFile, with FrameL's element lists;
/// class numbers are a file's own, as its dictionary gives them), the frame with one FrProcData time series per channel (float32, stored as it is, or gzip-compressed
/// with the little-endian flag set), its FrEndOfFrame, a FrTOC and the FrEndOfFile, every structure with its POSIX-cksum
/// CRC and the file with its header and file checksums. Nothing in a file depends on the clock: the same data give
/// the same bytes. Written whole under a temporary name, then renamed (<see cref="AtomicFile"/>).
/// </summary>
public static class GwfWriter
{
    private const int FrameH = 3, FrVect = 5, FrProcData = 6, FrDetector = 7, FrEndOfFrame = 9, FrHistory = 12, FrToc = 20, FrEndOfFile = 21;

    /// <summary>The element lists of the classes written (the frame specification's, as FrameL writes them).</summary>
    public static readonly IReadOnlyDictionary<int, (string Name, (string Name, string Type)[] Elements)> Classes = new Dictionary<int, (string, (string, string)[])>
    {
        [FrameH] = ("FrameH", [("name", "STRING"), ("run", "INT_4S"), ("frame", "INT_4U"), ("dataQuality", "INT_4U"), ("GTimeS", "INT_4U"), ("GTimeN", "INT_4U"), ("ULeapS", "INT_2U"), ("dt", "REAL_8"),
            ("type", "PTR_STRUCT(FrVect *)"), ("user", "PTR_STRUCT(FrVect *)"), ("detectSim", "PTR_STRUCT(FrDetector *)"), ("detectProc", "PTR_STRUCT(FrDetector *)"), ("history", "PTR_STRUCT(FrHistory *)"),
            ("rawData", "PTR_STRUCT(FrRawData *)"), ("procData", "PTR_STRUCT(FrProcData *)"), ("simData", "PTR_STRUCT(FrSimData *)"), ("event", "PTR_STRUCT(FrEvent *)"), ("simEvent", "PTR_STRUCT(FrSimEvent *)"),
            ("summaryData", "PTR_STRUCT(FrSummary *)"), ("auxData", "PTR_STRUCT(FrVect *)"), ("auxTable", "PTR_STRUCT(FrTable *)"), ("chkSum", "INT_4U")]),
        [FrVect] = ("FrVect", [("name", "STRING"), ("compress", "INT_2U"), ("type", "INT_2U"), ("nData", "INT_8U"), ("nBytes", "INT_8U"), ("data", "CHAR[nBytes]"), ("nDim", "INT_4U"),
            ("nx", "INT_8U[nDim]"), ("dx", "REAL_8[nDim]"), ("startX", "REAL_8[nDim]"), ("unitX", "STRING[nDim]"), ("unitY", "STRING"), ("next", "PTR_STRUCT(FrVect *)"), ("chkSum", "INT_4U")]),
        [FrProcData] = ("FrProcData", [("name", "STRING"), ("comment", "STRING"), ("type", "INT_2U"), ("subType", "INT_2U"), ("timeOffset", "REAL_8"), ("tRange", "REAL_8"), ("fShift", "REAL_8"),
            ("phase", "REAL_4"), ("fRange", "REAL_8"), ("BW", "REAL_8"), ("nAuxParam", "INT_2U"), ("auxParam", "REAL_8[nAuxParam]"), ("auxParamNames", "STRING[nAuxParam]"), ("data", "PTR_STRUCT(FrVect *)"),
            ("aux", "PTR_STRUCT(FrVect *)"), ("table", "PTR_STRUCT(FrTable *)"), ("history", "PTR_STRUCT(FrHistory *)"), ("next", "PTR_STRUCT(FrProcData *)"), ("chkSum", "INT_4U")]),
        [FrDetector] = ("FrDetector", [("name", "STRING"), ("prefix", "CHAR[2]"), ("longitude", "REAL_8"), ("latitude", "REAL_8"), ("elevation", "REAL_4"), ("armXazimuth", "REAL_4"),
            ("armYazimuth", "REAL_4"), ("armXaltitude", "REAL_4"), ("armYaltitude", "REAL_4"), ("armXmidpoint", "REAL_4"), ("armYmidpoint", "REAL_4"), ("localTime", "INT_4S"),
            ("aux", "PTR_STRUCT(FrVect *)"), ("table", "PTR_STRUCT(FrTable *)"), ("next", "PTR_STRUCT(FrDetector *)"), ("chkSum", "INT_4U")]),
        [FrEndOfFrame] = ("FrEndOfFrame", [("run", "INT_4S"), ("frame", "INT_4U"), ("GTimeS", "INT_4U"), ("GTimeN", "INT_4U"), ("chkSum", "INT_4U")]),
        [FrHistory] = ("FrHistory", [("name", "STRING"), ("time", "INT_4U"), ("comment", "STRING"), ("next", "PTR_STRUCT(FrHistory *)"), ("chkSum", "INT_4U")]),
        [FrToc] = ("FrTOC", [("ULeapS", "INT_2S"), ("nFrame", "INT_4U"), ("dataQuality", "INT_4U[nFrame]"), ("GTimeS", "INT_4U[nFrame]"), ("GTimeN", "INT_4U[nFrame]"), ("dt", "REAL_8[nFrame]"),
            ("runs", "INT_4S[nFrame]"), ("frame", "INT_4U[nFrame]"), ("positionH", "INT_8U[nFrame]"), ("nFirstADC", "INT_8U[nFrame]"), ("nFirstSer", "INT_8U[nFrame]"), ("nFirstTable", "INT_8U[nFrame]"),
            ("nFirstMsg", "INT_8U[nFrame]"), ("nSH", "INT_4U"), ("SHid", "INT_2U[nSH]"), ("SHname", "STRING[nSH]"), ("nDetector", "INT_4U"), ("nameDetector", "STRING[nDetector]"),
            ("positionDetector", "INT_8U[nDetector]"), ("nStatType", "INT_4U"), ("nameStat", "STRING[nStatType]"), ("detector", "STRING[nStatType]"), ("nStatInstance", "INT_4U[nStatType]"),
            ("nTotalStat", "INT_4U"), ("tStart", "INT_4U[nTotalStat]"), ("tEnd", "INT_4U[nTotalStat]"), ("version", "INT_4U[nTotalStat]"), ("positionStat", "INT_8U[nTotalStat]"), ("nADC", "INT_4U"),
            ("name", "STRING[nADC]"), ("channelID", "INT_4U[nADC]"), ("groupID", "INT_4U[nADC]"), ("positionADC", "INT_8U[nADC][nFrame]"), ("nProc", "INT_4U"), ("nameProc", "STRING[nProc]"),
            ("positionProc", "INT_8U[nProc][nFrame]"), ("nSim", "INT_4U"), ("nameSim", "STRING[nSim]"), ("positionSim", "INT_8U[nSim][nFrame]"), ("nSer", "INT_4U"), ("nameSer", "STRING[nSer]"),
            ("positionSer", "INT_8U[nSer][nFrame]"), ("nSummary", "INT_4U"), ("nameSum", "STRING[nSummary]"), ("positionSum", "INT_8U[nSummary][nFrame]"), ("nEventType", "INT_4U"),
            ("nameEvent", "STRING[nEventType]"), ("nEvent", "INT_4U[nEventType]"), ("nTotalEvent", "INT_4U"), ("GTimeSEvent", "INT_4U[nTotalEvent]"), ("GTimeNEvent", "INT_4U[nTotalEvent]"),
            ("amplitudeEvent", "REAL_4[nTotalEvent]"), ("positionEvent", "INT_8U[nTotalEvent]"), ("nSimEventType", "INT_4U"), ("nameSimEvent", "STRING[nSimEventType]"), ("nSimEvent", "INT_4U[nSimEventType]"),
            ("nTotalSEvent", "INT_4U"), ("GTimeSSim", "INT_4U[nTotalSEvent]"), ("GTimeNSim", "INT_4U[nTotalSEvent]"), ("amplitudeSimEvent", "REAL_4[nTotalSEvent]"), ("positionSimEvent", "INT_8U[nTotalSEvent]"),
            ("chkSum", "INT_4U")]),
        [FrEndOfFile] = ("FrEndOfFile", [("nFrames", "INT_4U"), ("nBytes", "INT_8U"), ("seekTOC", "INT_8U"), ("chkSumFrHeader", "INT_4U"), ("chkSum", "INT_4U"), ("chkSumFile", "INT_4U")]),
    };

    /// <summary>GPS - UTC leap seconds by the GPS second they took effect: TAI - UTC (a frame's ULeapS) is 19 more.</summary>
    private static readonly long[] LeapSeconds = [46828800, 78364801, 109900802, 173059203, 252028804, 315187205, 346723206, 393984007, 425520008, 457056009, 504489610, 551750411, 599184012, 820108813, 914803214, 1025136015, 1119744016, 1167264017];

    public static int TaiMinusUtc(long gps) => 19 + LeapSeconds.Count(t => gps >= t);

    /// <summary>Writes one frame [gps, gps + duration) with the channels (each must fill the frame at its rate).</summary>
    /// <param name="gzip">gzip each FrVect (compress 0x101) instead of storing it as it is (compress 0). Off by
    /// default: float32 noise shrinks by under 8 % and deflating it made writing 6 times slower than HDF5.</param>
    public static void Write(string path, GpsTime gps, double duration, IReadOnlyList<GwfOutputChannel> channels, string software, int run = -1, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0) throw new ArgumentException("a frame needs at least one channel", nameof(channels));
        foreach (var c in channels)
            if (Math.Abs(c.Data.Length - c.SampleRate * duration) > 0.5)
                throw new ArgumentException($"channel {c.Name}: {c.Data.Length} samples at {c.SampleRate} Hz do not fill {duration} s");
        AtomicFile.Write(path, tmp =>
        {
            using var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            WriteFrame(new Sink(file), gps, duration, channels, software, run, gzip);
        });
    }

    private static void WriteFrame(Sink o, GpsTime gps, double duration, IReadOnlyList<GwfOutputChannel> channels, string software, int run, bool gzip)
    {
        // FrHeader: the word sizes, the byte-order test words, pi in both precisions, FrameL's library id, checksums on
        var h = new MemoryStream();
        var w = new BinaryWriter(h);
        w.Write("IGWD"u8);
        w.Write((byte)0);
        w.Write((byte)8);
        w.Write((byte)20);
        w.Write(new byte[] { 2, 4, 8, 4, 8 });
        w.Write((ushort)0x1234);
        w.Write(0x12345678u);
        w.Write(0x0123456789ABCDEFUL);
        w.Write((float)Math.PI);
        w.Write(Math.PI);
        w.Write((byte)1);   // frame library: FrameL's id
        w.Write((byte)1);   // checksum scheme: CRC
        w.Flush();
        var header = h.ToArray();
        uint headerSum = FrameChecksum.Cksum(header);
        o.Write(header);
        foreach (var (id, (name, elements)) in Classes.OrderBy(c => c.Key))
        {
            Structure(o, 1, 0, [("name", "STRING"), ("class", "INT_2U"), ("comment", "STRING")], new() { ["name"] = name, ["class"] = (ushort)id, ["comment"] = "" });
            for (uint i = 0; i < elements.Length; i++)
                Structure(o, 2, 0, [("name", "STRING"), ("type", "STRING"), ("comment", "STRING")], new() { ["name"] = elements[i].Name, ["type"] = elements[i].Type, ["comment"] = "-" });
        }
        int leap = TaiMinusUtc(gps.Seconds);
        // the detector the data are from, where its site is known (by the channels' prefix, e.g. V1:), as h(t) frames carry it
        var detector = GwfDetector.Known(channels[0].Name.Split(':')[0]);
        long positionH = o.Position;
        Write(o, FrameH, 0, new()
        {
            ["name"] = "noise", ["run"] = run, ["frame"] = 0u, ["dataQuality"] = 0u, ["GTimeS"] = (uint)gps.Seconds, ["GTimeN"] = (uint)gps.Nanoseconds,
            ["ULeapS"] = (ushort)leap, ["dt"] = duration, ["detectProc"] = detector is null ? (0, 0u) : (FrDetector, 0u), ["history"] = (FrHistory, 0u), ["procData"] = (FrProcData, 0u),
        });
        long positionDetector = o.Position;
        if (detector is not null)
            Write(o, FrDetector, 0, new()
            {
                ["name"] = detector.Name, ["prefix"] = System.Text.Encoding.ASCII.GetBytes(detector.Prefix.PadRight(2)[..2]), ["longitude"] = detector.Longitude, ["latitude"] = detector.Latitude,
                ["elevation"] = (float)detector.Elevation, ["armXazimuth"] = (float)detector.ArmXAzimuth, ["armYazimuth"] = (float)detector.ArmYAzimuth, ["armXaltitude"] = (float)detector.ArmXAltitude,
                ["armYaltitude"] = (float)detector.ArmYAltitude, ["armXmidpoint"] = (float)detector.ArmXMidpoint, ["armYmidpoint"] = (float)detector.ArmYMidpoint, ["localTime"] = detector.LocalTime,
            });
        Write(o, FrHistory, 0, new() { ["name"] = "noise", ["time"] = (uint)gps.Seconds, ["comment"] = software, ["next"] = (0, 0u) });
        var positionProc = new List<long>();
        for (int i = 0; i < channels.Count; i++)
        {
            var c = channels[i];
            positionProc.Add(o.Position);
            Write(o, FrProcData, (uint)i, new()
            {
                ["name"] = c.Name, ["comment"] = "", ["type"] = (ushort)1, ["subType"] = (ushort)0, ["timeOffset"] = 0.0, ["tRange"] = duration, ["fShift"] = 0.0, ["phase"] = 0f,
                ["fRange"] = c.SampleRate / 2, ["BW"] = 0.0, ["nAuxParam"] = (ushort)0, ["auxParam"] = Array.Empty<double>(), ["auxParamNames"] = Array.Empty<string>(),
                ["data"] = (FrVect, (uint)i), ["next"] = i + 1 < channels.Count ? (FrProcData, (uint)(i + 1)) : (0, 0u),
            });
            // the samples go from the channel's own array to the file (little-endian machines: they are their own
            // little-endian bytes), checksummed on the way; gzip, when asked, deflates those little-endian bytes
            object packed = c.Data;
            if (!BitConverter.IsLittleEndian)
            {
                var le = new byte[c.Data.Length * 4];
                for (int k = 0; k < c.Data.Length; k++) BinaryPrimitives.WriteSingleLittleEndian(le.AsSpan(4 * k), c.Data[k]);
                packed = le;
            }
            if (gzip) packed = Deflate(packed is byte[] bytes ? bytes : MemoryMarshal.AsBytes(c.Data.AsSpan()));
            ulong nBytes = packed is byte[] pb ? (ulong)pb.Length : (ulong)c.Data.Length * 4;
            Write(o, FrVect, (uint)i, new()
            {
                ["name"] = c.Name, ["compress"] = gzip ? (ushort)0x101 : (ushort)0, ["type"] = (ushort)3, ["nData"] = (ulong)c.Data.Length, ["nBytes"] = nBytes, ["data"] = packed,
                ["nDim"] = 1u, ["nx"] = new[] { (double)c.Data.Length }, ["dx"] = new[] { 1 / c.SampleRate }, ["startX"] = new[] { 0.0 }, ["unitX"] = new[] { "s" }, ["unitY"] = c.Unit, ["next"] = (0, 0u),
            });
        }
        Write(o, FrEndOfFrame, 0, new() { ["run"] = run, ["frame"] = 0u, ["GTimeS"] = (uint)gps.Seconds, ["GTimeN"] = (uint)gps.Nanoseconds });
        long toc = o.Position;
        var ids = Classes.Keys.Order().ToArray();
        Write(o, FrToc, 0, new()
        {
            ["ULeapS"] = (short)leap, ["nFrame"] = 1u, ["dataQuality"] = new[] { 0.0 }, ["GTimeS"] = new[] { (double)gps.Seconds }, ["GTimeN"] = new[] { (double)gps.Nanoseconds }, ["dt"] = new[] { duration },
            ["runs"] = new[] { (double)run }, ["frame"] = new[] { 0.0 }, ["positionH"] = new[] { (double)positionH }, ["nFirstADC"] = new[] { 0.0 }, ["nFirstSer"] = new[] { 0.0 }, ["nFirstTable"] = new[] { 0.0 },
            ["nFirstMsg"] = new[] { 0.0 }, ["nSH"] = (uint)ids.Length, ["SHid"] = ids.Select(i => (double)i).ToArray(), ["SHname"] = ids.Select(i => Classes[i].Name).ToArray(),
            ["nDetector"] = detector is null ? 0u : 1u, ["nameDetector"] = detector is null ? Array.Empty<string>() : [detector.Name],
            ["positionDetector"] = detector is null ? Array.Empty<double>() : [(double)positionDetector],
            ["nProc"] = (uint)channels.Count, ["nameProc"] = channels.Select(c => c.Name).ToArray(), ["positionProc"] = positionProc.Select(p => (double)p).ToArray(),
        });
        // FrEndOfFile: its structure checksum, then the file's over everything before its own last word
        long eof = o.Position;
        const int eofLength = 14 + 4 + 8 + 8 + 4 + 4 + 4;
        long total = eof + eofLength;
        var e = new MemoryStream();
        var ew = new BinaryWriter(e);
        ew.Write((ulong)eofLength);
        ew.Write((byte)1);
        ew.Write((byte)FrEndOfFile);
        ew.Write(0u);
        ew.Write(1u);
        ew.Write((ulong)total);
        ew.Write((ulong)(total - toc));
        ew.Write(headerSum);
        ew.Flush();
        ew.Write(FrameChecksum.Cksum(e.ToArray()));
        ew.Flush();
        o.Write(e.ToArray());
        var fileSum = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(fileSum, FrameChecksum.Finish(o.Crc, (ulong)(total - 4)));
        o.WriteRaw(fileSum);
    }

    /// <summary>The file being written: its position and the running checksum of everything written through <see cref="Write"/>.</summary>
    private sealed class Sink(Stream stream)
    {
        public long Position { get; private set; }
        public uint Crc { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            Crc = FrameChecksum.Update(Crc, bytes);
            WriteRaw(bytes);
        }

        /// <summary>Bytes whose running CRC (from 0) the caller computed already: the file's is combined with it, not recomputed.</summary>
        public void Write(ReadOnlySpan<byte> bytes, uint crcOfBytes)
        {
            Crc = FrameChecksum.Combine(Crc, crcOfBytes, bytes.Length);
            WriteRaw(bytes);
        }

        /// <summary>Bytes the file checksum does not cover (its own last word).</summary>
        public void WriteRaw(ReadOnlySpan<byte> bytes)
        {
            stream.Write(bytes);
            Position += bytes.Length;
        }
    }

    private static void Write(Sink o, int cls, uint instance, Dictionary<string, object> values) =>
        Structure(o, cls, instance, Classes[cls].Elements, values);

    /// <summary>One structure: its header, its elements by the element list (absent pointers null, absent counts 0, absent arrays empty), then its checksum.</summary>
    private static void Structure(Sink o, int cls, uint instance, (string Name, string Type)[] elements, Dictionary<string, object> values)
    {
        // the elements in pieces: small ones serialised here, a data array (bytes, or float32 samples on a
        // little-endian machine, which are their own little-endian bytes) passed to the file as it is
        var parts = new List<byte[]>();
        float[]? samples = null;
        int samplesAt = -1;
        var body = new MemoryStream();
        var w = new BinaryWriter(body);
        void Cut()
        {
            w.Flush();
            if (body.Length > 0) parts.Add(body.ToArray());
            body.SetLength(0);
        }
        foreach (var (name, type) in elements)
        {
            if (name == "chkSum") break;
            values.TryGetValue(name, out var v);
            int bracket = type.IndexOf('[', StringComparison.Ordinal);
            if (type.StartsWith("PTR_STRUCT", StringComparison.Ordinal))
            {
                var (c, i) = v is ValueTuple<int, uint> p ? p : (0, 0u);
                w.Write((ushort)c);
                w.Write(i);
            }
            else if (bracket >= 0)
            {
                string baseType = type[..bracket];
                switch (v)
                {
                    case byte[] bytes: Cut(); parts.Add(bytes); break;
                    case float[] f: Cut(); samples = f; samplesAt = parts.Count; break;
                    case string[] strings: foreach (var s in strings) WriteScalar(w, "STRING", s); break;
                    case double[] numbers: foreach (var x in numbers) WriteScalar(w, baseType, x); break;
                    case null: break;
                    default: throw new ArgumentException($"element {name}: unsupported array {v.GetType()}");
                }
            }
            else WriteScalar(w, type, v ?? (type == "STRING" ? "" : 0));
        }
        Cut();
        long length = 14 + parts.Sum(p => (long)p.Length) + (samples?.LongLength ?? 0) * 4 + 4;
        var head = new byte[14];
        BinaryPrimitives.WriteUInt64LittleEndian(head, (ulong)length);
        head[8] = 1;
        head[9] = (byte)cls;
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(10), instance);
        // one pass over the bytes: each piece's CRC serves the structure's checksum and, combined, the file's
        uint crc = 0;
        void Piece(ReadOnlySpan<byte> bytes)
        {
            uint c = FrameChecksum.Update(0, bytes);
            crc = FrameChecksum.Combine(crc, c, bytes.Length);
            o.Write(bytes, c);
        }
        Piece(head);
        for (int k = 0; k <= parts.Count; k++)
        {
            if (k == samplesAt) Piece(MemoryMarshal.AsBytes(samples.AsSpan()));
            if (k == parts.Count) break;
            Piece(parts[k]);
        }
        var sum = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(sum, FrameChecksum.Finish(crc, (ulong)(length - 4)));
        o.Write(sum);
    }

    private static void WriteScalar(BinaryWriter w, string type, object v)
    {
        switch (type)
        {
            case "STRING":
                var s = Encoding.UTF8.GetBytes((string)v);
                w.Write((ushort)(s.Length + 1));
                w.Write(s);
                w.Write((byte)0);
                break;
            case "INT_2S": w.Write(Convert.ToInt16(v)); break;
            case "INT_2U": w.Write(Convert.ToUInt16(v)); break;
            case "INT_4S": w.Write(Convert.ToInt32(v)); break;
            case "INT_4U": w.Write(Convert.ToUInt32(v)); break;
            case "INT_8S": w.Write(Convert.ToInt64(v)); break;
            case "INT_8U": w.Write(Convert.ToUInt64(v)); break;
            case "REAL_4": w.Write(Convert.ToSingle(v)); break;
            case "REAL_8": w.Write(Convert.ToDouble(v)); break;
            default: throw new ArgumentException($"element type {type} is not written");
        }
    }

    private static byte[] Deflate(ReadOnlySpan<byte> raw)
    {
        using var o = new MemoryStream();
        using (var z = new ZLibStream(o, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return o.ToArray();
    }
}
