using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using Noise.Core;

namespace Noise.IO.Frames;

/// <summary>One channel of a frame file: its samples over the file's frames, in order.</summary>
public sealed record GwfChannel(string Name, string Kind, double SampleRate, double GpsStart, double[] Data, string Unit);

/// <summary>
/// Reads IGWD frame files (GWF, format version 8; LIGO-T970130), the format observatories move strain in. The file
/// describes its own structures: every FrSH/FrSE dictionary entry it holds is read first, and each structure
/// instance is parsed by the element list its file gives it, so any structure the reader does not use is still
/// walked and checked. Structure checksums (the POSIX cksum CRC of each structure before its chkSum), the header's
/// and the whole file's are verified. FrProcData and FrAdcData channels are returned with their FrVect data
/// (every compression the format defines for series: none, gzip, differences with gzip, and the 16-, 32- and 64-bit zero suppressions; the byte-order flag honoured); a truncated or corrupt file, an unknown compression or a
/// missing channel is one <see cref="NoiseInputException"/> naming the file.
/// </summary>
public static class GwfReader
{
    private const int HeaderLength = 40;

    /// <summary>Every FrProcData and FrAdcData channel of the file (frames joined in time order).</summary>
    public static List<GwfChannel> ReadAll(string path) => ReadFile(path).Channels;

    /// <summary>The file's channels and the detectors its frames name (FrDetector, each once).</summary>
    public static (List<GwfChannel> Channels, List<GwfDetector> Detectors) ReadFile(string path)
    {
        byte[] b;
        try { b = File.ReadAllBytes(path); }
        catch (IOException e) { throw new NoiseInputException($"{path}: cannot read: {e.Message}"); }
        try { return Parse(b, path); }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or InvalidDataException or OverflowException or KeyNotFoundException)
        {
            throw new NoiseInputException($"{path}: not a readable frame file ({e.GetType().Name}: {e.Message}); truncated or corrupt?");
        }
    }

    /// <summary>One channel by name (or the only one when the file holds one).</summary>
    public static GwfChannel Read(string path, string? channel = null)
    {
        var all = ReadAll(path);
        if (channel is null)
            return all.Count == 1 ? all[0] : throw new NoiseInputException($"{path}: {all.Count} channels ({string.Join(", ", all.Select(c => c.Name))}); name one with --channel");
        return all.FirstOrDefault(c => c.Name == channel)
            ?? throw new NoiseInputException($"{path}: no channel '{channel}' (it holds {string.Join(", ", all.Select(c => c.Name))})");
    }

    private static (List<GwfChannel>, List<GwfDetector>) Parse(byte[] b, string path)
    {
        if (b.Length < HeaderLength || Encoding.ASCII.GetString(b, 0, 4) != "IGWD" || b[4] != 0)
            throw new NoiseInputException($"{path}: not a frame file (no IGWD header)");
        if (b[5] != 8) throw new NoiseInputException($"{path}: frame format version {b[5]}; version 8 is read");
        if (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(12)) != 0x1234)
            throw new NoiseInputException($"{path}: a big-endian frame file; little-endian ones are read");
        var dict = new Dictionary<int, (string Name, List<(string Name, string Type)> Elements)>
        {
            [1] = ("FrSH", [("name", "STRING"), ("class", "INT_2U"), ("comment", "STRING")]),
            [2] = ("FrSE", [("name", "STRING"), ("type", "STRING"), ("comment", "STRING")]),
        };
        // instances are numbered within a frame (FrameL starts them again in every frame), so pointers are resolved
        // in the scope of the frame they belong to: the structures from one FrameH to its FrEndOfFrame
        var objects = new Dictionary<(int Class, uint Instance), Dictionary<string, object>>();
        var frames = new List<(Dictionary<string, object> Frame, Dictionary<(int, uint), Dictionary<string, object>> Objects)>();
        Dictionary<string, object>? endOfFile = null;
        var detectors = new List<GwfDetector>();
        int current = -1;
        long pos = HeaderLength;
        // the file's checksum covers everything but its own last word; it is built from each structure's CRC (one
        // pass over the data, which is most of a frame's bytes) and the bytes between
        int fileEnd = b.Length - 4;
        uint headerCrc = FrameChecksum.Update(0, b.AsSpan(0, HeaderLength)), fileCrc = headerCrc;
        while (pos < b.Length)
        {
            if (pos + 14 > b.Length) throw new NoiseInputException($"{path}: truncated at byte {pos} (a structure header is cut off)");
            long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan((int)pos));
            byte chkType = b[pos + 8];
            int cls = b[pos + 9];
            uint instance = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)pos + 10));
            if (length < 18 || pos + length > b.Length) throw new NoiseInputException($"{path}: truncated at byte {pos} (a structure of {length} bytes runs past the end, {b.Length} bytes)");
            int start = (int)pos, end = (int)(pos + length);
            if (!dict.TryGetValue(cls, out var d)) throw new NoiseInputException($"{path}: structure class {cls} at byte {pos} is not in the file's dictionary");
            // the dictionary's two classes end in their chkSum; every other class says where its chkSum sits
            var elements = cls is 1 or 2 ? [.. d.Elements, ("chkSum", "INT_4U")] : d.Elements;
            var values = Elements(b, start + 14, end, elements, path, out int chkAt);
            int covered = start;
            if (chkType != 0 && chkAt >= 0)
            {
                uint crc = FrameChecksum.Update(0, b.AsSpan(start, chkAt - start));
                if (FrameChecksum.Finish(crc, (ulong)(chkAt - start)) != BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(chkAt)))
                    throw new NoiseInputException($"{path}: checksum error in the structure at byte {pos} (class {cls}, instance {instance}): the file is corrupt");
                fileCrc = FrameChecksum.Combine(fileCrc, crc, chkAt - start);
                covered = chkAt;
            }
            if (Math.Min(end, fileEnd) > covered) fileCrc = FrameChecksum.Update(fileCrc, b.AsSpan(covered, Math.Min(end, fileEnd) - covered));
            if (cls == 1)
            {
                // a file may describe the dictionary's own two classes too: their layout is fixed, so that is skipped
                current = Convert.ToInt32(values["class"]);
                if (current is 1 or 2) current = 0;
                else dict[current] = ((string)values["name"], []);
            }
            else if (cls == 2)
            {
                if (current < 0) throw new NoiseInputException($"{path}: a dictionary element before its structure at byte {pos}");
                if (current > 0) dict[current].Elements.Add(((string)values["name"], (string)values["type"]));
            }
            else
            {
                values["@class"] = d.Name;
                if (d.Name == "FrameH")
                {
                    objects = [];
                    frames.Add((values, objects));
                }
                objects[(cls, instance)] = values;
                if (d.Name == "FrEndOfFile") endOfFile = values;
                if (d.Name == "FrDetector" && DetectorOf(values) is { } det && !detectors.Any(x => x.Name == det.Name)) detectors.Add(det);
            }
            pos = end;
        }
        if (endOfFile is null) throw new NoiseInputException($"{path}: no FrEndOfFile: the file is truncated");
        uint fileSum = Convert.ToUInt32(endOfFile["chkSumFile"]), headerSum = Convert.ToUInt32(endOfFile["chkSumFrHeader"]);
        if (fileSum != 0 && FrameChecksum.Finish(fileCrc, (ulong)fileEnd) != fileSum) throw new NoiseInputException($"{path}: file checksum error: the file is corrupt");
        if (headerSum != 0 && FrameChecksum.Finish(headerCrc, HeaderLength) != headerSum) throw new NoiseInputException($"{path}: header checksum error: the file is corrupt");

        var byName = new Dictionary<string, (string Kind, double Rate, double Start, List<double[]> Parts, string Unit)>();
        var order = new List<string>();
        foreach (var (frame, scope) in frames.OrderBy(f => Convert.ToDouble(f.Frame["GTimeS"]) + 1e-9 * Convert.ToDouble(f.Frame["GTimeN"])))
        {
            double t0 = Convert.ToDouble(frame["GTimeS"]) + 1e-9 * Convert.ToDouble(frame["GTimeN"]);
            var channels = new List<(Dictionary<string, object> Obj, string Kind)>();
            foreach (var proc in Chain(scope, frame.GetValueOrDefault("procData"))) channels.Add((proc, "proc"));
            if (Deref(scope, frame.GetValueOrDefault("rawData")) is { } raw)
                foreach (var adc in Chain(scope, raw.GetValueOrDefault("firstAdc"))) channels.Add((adc, "adc"));
            foreach (var (obj, kind) in channels)
            {
                string name = (string)obj["name"];
                var vect = Deref(scope, obj.GetValueOrDefault("data")) ?? throw new NoiseInputException($"{path}: channel {name} has no data vector");
                var data = Samples(vect, path, name);
                double dx = ((double[])vect["dx"])[0], startX = ((double[])vect["startX"])[0];
                double rate = kind == "adc" ? Convert.ToDouble(obj["sampleRate"]) : 1 / dx;
                double start = t0 + Convert.ToDouble(obj.GetValueOrDefault("timeOffset") ?? 0.0) + startX;
                if (!byName.TryGetValue(name, out var c))
                {
                    c = (kind, rate, start, [], (string)vect["unitY"]);
                    order.Add(name);
                }
                else
                {
                    double expected = c.Start + c.Parts.Sum(p => p.Length) / c.Rate;
                    if (Math.Abs(rate - c.Rate) > 1e-9 * rate || Math.Abs(start - expected) > 0.5 / rate)
                        throw new NoiseInputException($"{path}: channel {name} is not contiguous across frames (frame at GPS {start} after data to {expected})");
                }
                c.Parts.Add(data);
                byName[name] = c;
            }
        }
        return (order.Select(n => { var c = byName[n]; return new GwfChannel(n, c.Kind, c.Rate, c.Start, c.Parts.Count == 1 ? c.Parts[0] : c.Parts.SelectMany(p => p).ToArray(), c.Unit); }).ToList(), detectors);
    }

    private static GwfDetector? DetectorOf(Dictionary<string, object> v)
    {
        double D(string k) => v.TryGetValue(k, out var x) ? Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
        var prefix = v.TryGetValue("prefix", out var p) && p is byte[] pb ? Encoding.ASCII.GetString(pb).TrimEnd('\0', ' ') : "";
        return new GwfDetector(v.TryGetValue("name", out var n) ? (string)n : "", prefix, D("longitude"), D("latitude"), D("elevation"), D("armXazimuth"), D("armYazimuth"),
            D("armXaltitude"), D("armYaltitude"), D("armXmidpoint"), D("armYmidpoint"), v.TryGetValue("localTime", out var lt) ? Convert.ToInt32(lt, System.Globalization.CultureInfo.InvariantCulture) : 0);
    }

    /// <summary>
    /// A FrVect's samples as doubles: decompressed (0 none, 1 gzip, 3 differences then gzip, 5 or 6 zero-suppressed
    /// 16-bit differences, 8 zero-suppressed 32-bit differences, 10 zero-suppressed 64-bit differences), in the byte
    /// order its 0x100 flag gives, the differences summed back as integers of the vector's width (a float's bits
    /// for 8 and 10).
    /// </summary>
    private static double[] Samples(Dictionary<string, object> vect, string path, string channel)
    {
        int compress = Convert.ToInt32(vect["compress"]), type = Convert.ToInt32(vect["type"]);
        long nData = Convert.ToInt64(vect["nData"]);
        var data = vect["data"] is ArraySegment<byte> seg ? seg : new ArraySegment<byte>((byte[])vect["data"]);
        int scheme = compress & 0xFF;
        // the 0x100 bit says the compressed data are little-endian (written by a little-endian machine)
        bool little = (compress & 0x100) != 0 || scheme == 0;
        int size = type switch
        {
            1 or 9 => 2, 3 or 4 or 10 => 4, 2 or 5 or 11 => 8, 0 or 12 => 1,
            _ => throw new NoiseInputException($"{path}: channel {channel} has FrVect type {type}; real and integer series are read"),
        };
        // stored as they are: read in place
        if (scheme == 0)
        {
            if (data.Count != nData * size) throw new NoiseInputException($"{path}: channel {channel}: {data.Count} bytes of data for {nData} samples of {size} bytes: corrupt");
            return Values(data, type, nData, size);
        }
        var bytes = data.ToArray();
        if (!little) bytes = Swapped(bytes, scheme is 5 or 6 ? 2 : scheme == 8 ? 4 : scheme == 10 ? 8 : size);
        byte[] raw = scheme switch
        {
            1 or 3 => Inflate(bytes, path, channel),
            5 or 6 => ZeroSuppressed(bytes, nData, 2, path, channel),
            8 => ZeroSuppressed(bytes, nData, 4, path, channel),
            10 => ZeroSuppressed(bytes, nData, 8, path, channel),
            _ => throw new NoiseInputException($"{path}: channel {channel} uses frame compression {scheme}, which is not read (0, 1, 3, 5, 6, 8 and 10 are)"),
        };
        if (scheme is 1 or 3 && !little) raw = Swapped(raw, size);
        if (raw.Length != nData * size) throw new NoiseInputException($"{path}: channel {channel}: {raw.Length} bytes of data for {nData} samples of {size} bytes: corrupt");
        // differences summed back, as integers of the sample's width (floats: not differenced by 3, their bits by 8 and 10)
        bool integer = type is 0 or 1 or 4 or 5 or 9 or 10 or 11 or 12;
        if (scheme is 5 or 6 or 8 or 10 || (scheme == 3 && integer)) Integrate(raw, size);
        return Values(raw, type, nData, size);
    }

    /// <summary>Little-endian samples of a FrVect type as doubles.</summary>
    private static double[] Values(ReadOnlySpan<byte> span, int type, long nData, int size)
    {
        var x = new double[nData];
        // h(t) is float32 or float64: on a little-endian machine its bytes are the values already
        if (BitConverter.IsLittleEndian && type is 2 or 3)
        {
            if (type == 3) { var f = MemoryMarshal.Cast<byte, float>(span); for (int i = 0; i < f.Length; i++) x[i] = f[i]; }
            else MemoryMarshal.Cast<byte, double>(span).CopyTo(x);
            return x;
        }
        for (long i = 0; i < nData; i++)
        {
            var v = span.Slice((int)(i * size), size);
            x[i] = type switch
            {
                2 => BinaryPrimitives.ReadDoubleLittleEndian(v),
                3 => BinaryPrimitives.ReadSingleLittleEndian(v),
                1 => BinaryPrimitives.ReadInt16LittleEndian(v),
                4 => BinaryPrimitives.ReadInt32LittleEndian(v),
                5 => BinaryPrimitives.ReadInt64LittleEndian(v),
                9 => BinaryPrimitives.ReadUInt16LittleEndian(v),
                10 => BinaryPrimitives.ReadUInt32LittleEndian(v),
                11 => BinaryPrimitives.ReadUInt64LittleEndian(v),
                0 => (sbyte)v[0],
                _ => v[0],
            };
        }
        return x;
    }

    /// <summary>Each word of the given width with its bytes reversed (big-endian data to little-endian).</summary>
    private static byte[] Swapped(byte[] data, int width)
    {
        var o = (byte[])data.Clone();
        for (int i = 0; i + width <= o.Length; i += width) Array.Reverse(o, i, width);
        return o;
    }

    /// <summary>Running sums of little-endian integers of the given width, in place (wrapping, as the writer's integers did).</summary>
    private static void Integrate(byte[] raw, int width)
    {
        var s = raw.AsSpan();
        int n = raw.Length / width;
        switch (width)
        {
            case 1: for (int i = 1; i < n; i++) raw[i] = (byte)(raw[i] + raw[i - 1]); break;
            case 2: for (int i = 1; i < n; i++) BinaryPrimitives.WriteInt16LittleEndian(s[(2 * i)..], (short)(BinaryPrimitives.ReadInt16LittleEndian(s[(2 * i)..]) + BinaryPrimitives.ReadInt16LittleEndian(s[(2 * i - 2)..]))); break;
            case 4: for (int i = 1; i < n; i++) BinaryPrimitives.WriteInt32LittleEndian(s[(4 * i)..], unchecked(BinaryPrimitives.ReadInt32LittleEndian(s[(4 * i)..]) + BinaryPrimitives.ReadInt32LittleEndian(s[(4 * i - 4)..]))); break;
            default: for (int i = 1; i < n; i++) BinaryPrimitives.WriteInt64LittleEndian(s[(8 * i)..], unchecked(BinaryPrimitives.ReadInt64LittleEndian(s[(8 * i)..]) + BinaryPrimitives.ReadInt64LittleEndian(s[(8 * i - 8)..]))); break;
        }
    }

    /// <summary>
    /// The frame format's zero suppression, expanded: little-endian words of the given width (2, 4 or 8 bytes) read as
    /// one bit stream, least significant bit first. The block size comes first (the first 16-bit word, or the low 16
    /// bits of the first wider word); then per block a field of 4, 5 or 6 bits holds n - 1 for the block's sample
    /// width n (1 meaning 0: a block of zeros), followed by its samples, each n bits, offset by 2^(n-1) - 1.
    /// </summary>
    private static byte[] ZeroSuppressed(byte[] data, long nData, int width, string path, string channel)
    {
        int field = width == 2 ? 4 : width == 4 ? 5 : 6;
        var o = new byte[nData * width];
        long bitCount = 8L * data.Length;
        long bit = 16;   // past the block size
        if (data.Length < 2) throw new NoiseInputException($"{path}: channel {channel}: zero-suppressed data too short: corrupt");
        int block = BinaryPrimitives.ReadUInt16LittleEndian(data);
        if (block <= 0) throw new NoiseInputException($"{path}: channel {channel}: zero-suppressed block size 0: corrupt");
        ulong Take(int n)
        {
            if (n == 0) return 0;
            if (bit + n > bitCount) throw new NoiseInputException($"{path}: channel {channel}: zero-suppressed data end early: corrupt");
            ulong v = 0;
            for (int k = 0; k < n; k++, bit++)
                if ((data[bit >> 3] >> (int)(bit & 7) & 1) != 0) v |= 1UL << k;
            return v;
        }
        long outIndex = 0;
        while (outIndex < nData)
        {
            int nBits = 1 + (int)Take(field);
            if (nBits == 1) nBits = 0;
            long offset = nBits >= 2 ? (1L << (nBits - 1)) - 1 : 0;
            for (int i = 0; i < block && outIndex < nData; i++, outIndex++)
            {
                long value = (long)Take(nBits) - offset;
                var dst = o.AsSpan((int)(outIndex * width), width);
                switch (width)
                {
                    case 2: BinaryPrimitives.WriteInt16LittleEndian(dst, (short)value); break;
                    case 4: BinaryPrimitives.WriteInt32LittleEndian(dst, (int)value); break;
                    default: BinaryPrimitives.WriteInt64LittleEndian(dst, value); break;
                }
            }
        }
        return o;
    }

    private static byte[] Inflate(byte[] data, string path, string channel)
    {
        try
        {
            using var z = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress);
            using var o = new MemoryStream();
            z.CopyTo(o);
            return o.ToArray();
        }
        catch (InvalidDataException e) { throw new NoiseInputException($"{path}: channel {channel}: its gzip data do not inflate ({e.Message}): corrupt"); }
    }

    private static Dictionary<string, object>? Deref(Dictionary<(int, uint), Dictionary<string, object>> objects, object? ptr) =>
        ptr is (int cls, uint inst) && cls != 0 && objects.TryGetValue((cls, inst), out var o) ? o : null;

    /// <summary>A linked list of structures through their `next` pointers.</summary>
    private static IEnumerable<Dictionary<string, object>> Chain(Dictionary<(int, uint), Dictionary<string, object>> objects, object? first)
    {
        var seen = new HashSet<Dictionary<string, object>>();
        for (var o = Deref(objects, first); o is not null && seen.Add(o); o = Deref(objects, o.GetValueOrDefault("next"))) yield return o;
    }

    /// <summary>Parses elements by the dictionary's types into name -> value (arrays as typed arrays, pointers as (class, instance)).</summary>
    /// <param name="chkAt">Where the structure's chkSum element sits (-1: it has none).</param>
    private static Dictionary<string, object> Elements(byte[] b, int p, int end, List<(string Name, string Type)> elements, string path, out int chkAt)
    {
        var v = new Dictionary<string, object>(StringComparer.Ordinal);
        chkAt = -1;
        foreach (var (name, type) in elements)
        {
            if (name == "chkSum") chkAt = p;
            int bracket = type.IndexOf('[', StringComparison.Ordinal);
            if (type.StartsWith("PTR_STRUCT", StringComparison.Ordinal))
            {
                v[name] = ((int)BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(p)), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + 2)));
                p += 6;
            }
            else if (bracket < 0) v[name] = Scalar(b, ref p, type, path);
            else
            {
                string baseType = type[..bracket];
                long n = 1;
                foreach (var dim in type[(bracket + 1)..].TrimEnd(']').Split("]["))
                    n *= long.TryParse(dim, out var k) ? k : Convert.ToInt64(v[dim]);
                if (baseType is "CHAR" or "CHAR_U")
                {
                    // a vector's data stay where they are in the file's bytes (a copy of a whole frame's samples was a
                    // third of reading one); short ones (a detector's prefix) are copied out
                    v[name] = n > 4096 ? new ArraySegment<byte>(b, p, checked((int)n)) : (object)b.AsSpan(p, checked((int)n)).ToArray();
                    p += (int)n;
                }
                else if (baseType == "STRING")
                {
                    var s = new string[n];
                    for (long i = 0; i < n; i++) s[i] = (string)Scalar(b, ref p, "STRING", path);
                    v[name] = s;
                }
                else
                {
                    var a = new double[n];
                    for (long i = 0; i < n; i++) a[i] = Convert.ToDouble(Scalar(b, ref p, baseType, path));
                    v[name] = a;
                }
            }
            if (p > end) throw new NoiseInputException($"{path}: a structure's elements run past its length: corrupt");
        }
        if (p != end) throw new NoiseInputException($"{path}: a structure holds {end - p} bytes more than its dictionary entry describes: corrupt");
        return v;
    }

    private static object Scalar(byte[] b, ref int p, string type, string path)
    {
        var s = b.AsSpan(p);
        (object value, int size) = type switch
        {
            "STRING" => (Encoding.UTF8.GetString(s.Slice(2, Math.Max(0, BinaryPrimitives.ReadUInt16LittleEndian(s) - 1))), 2 + BinaryPrimitives.ReadUInt16LittleEndian(s)),
            "CHAR" => ((object)(sbyte)s[0], 1),
            "CHAR_U" => (s[0], 1),
            "INT_2S" => (BinaryPrimitives.ReadInt16LittleEndian(s), 2),
            "INT_2U" => (BinaryPrimitives.ReadUInt16LittleEndian(s), 2),
            "INT_4S" => (BinaryPrimitives.ReadInt32LittleEndian(s), 4),
            "INT_4U" => (BinaryPrimitives.ReadUInt32LittleEndian(s), 4),
            "INT_8S" => (BinaryPrimitives.ReadInt64LittleEndian(s), 8),
            "INT_8U" => (BinaryPrimitives.ReadUInt64LittleEndian(s), 8),
            "REAL_4" => (BinaryPrimitives.ReadSingleLittleEndian(s), 4),
            "REAL_8" => (BinaryPrimitives.ReadDoubleLittleEndian(s), 8),
            // complex elements appear in no structure this reader uses: walked over, their real part kept
            "COMPLEX_8" => ((double)BinaryPrimitives.ReadSingleLittleEndian(s), 8),
            "COMPLEX_16" => (BinaryPrimitives.ReadDoubleLittleEndian(s), 16),
            _ => throw new NoiseInputException($"{path}: element type '{type}' is not one of the frame format's"),
        };
        p += size;
        return value;
    }

}
