using System.Globalization;
using System.Text.RegularExpressions;
using Noise.Core;
using Parquet;
using Parquet.Schema;
using PureHDF;

namespace Noise.IO;

/// <summary>
/// Reads strain written by us (Parquet, HDF5) and by GWOSC (HDF5 and ASCII), by file extension. Errors are
/// <see cref="NoiseInputException"/>s that name the file.
/// </summary>
public static partial class StrainReader
{
    /// <param name="channel">For a frame file (.gwf): the channel to read, needed when it holds several; other formats hold one strain series and ignore it.</param>
    public static StrainSeries Read(string path, string? channel = null)
    {
        if (!File.Exists(path)) throw new NoiseInputException($"{path}: file not found");
        var ext = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            return ext switch
            {
                ".parquet" => ReadParquet(path),
                ".hdf5" or ".h5" or ".hdf" => ReadHdf5(path),
                ".txt" or ".dat" or ".ascii" => ReadAscii(path),
                ".gwf" => ReadFrame(path, channel),
                _ => throw new NoiseInputException($"{path}: unknown strain format '{ext}' (expected .parquet, .hdf5/.h5, .gwf or GWOSC .txt)"),
            };
        }
        catch (Exception e) when (e is not NoiseInputException)
        {
            throw new NoiseInputException($"{path}: cannot read strain: {e.Message}", e);
        }
    }

    /// <summary>
    /// Several files of one channel (a folder of 1 s low-latency frames, a day of 4096 s GWOSC files) as one series
    /// in GPS order, NaN where no file covers a sample (conditioning takes NaN for a gap), trimmed to
    /// [<paramref name="gpsStart"/>, <paramref name="gpsEnd"/>) where given. Files of another channel or rate, files
    /// that overlap, or a range that no file reaches are one clear error.
    /// </summary>
    public static StrainSeries Join(IReadOnlyList<string> paths, string? channel = null, double? gpsStart = null, double? gpsEnd = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0) throw new NoiseInputException("no strain files to join");
        var parts = paths.Select(p => Read(p, channel)).OrderBy(s => s.GpsStart).ToList();
        var first = parts[0];
        foreach (var s in parts.Skip(1))
        {
            if (s.Channel != first.Channel) throw new NoiseInputException($"{s.Source}: channel {s.Channel}, not {first.Channel} as {first.Source}: only one channel's files join");
            if (s.SampleRate != first.SampleRate) throw new NoiseInputException($"{s.Source}: {s.SampleRate} Hz, not {first.SampleRate} Hz as {first.Source}");
        }
        double fs = first.SampleRate;
        long Index(double gps) => (long)Math.Round(gps * fs);
        for (int i = 1; i < parts.Count; i++)
            if (Index(parts[i].GpsStart) < Index(parts[i - 1].GpsStart) + parts[i - 1].Data.Length)
                throw new NoiseInputException($"{parts[i].Source} overlaps {parts[i - 1].Source} (GPS {parts[i].GpsStart} before {parts[i - 1].GpsStart + parts[i - 1].Duration})");
        long a = gpsStart is { } g0 ? Index(g0) : Index(first.GpsStart);
        long b = gpsEnd is { } g1 ? Index(g1) : Index(parts[^1].GpsStart) + parts[^1].Data.Length;
        if (b <= a) throw new NoiseInputException($"the GPS range {a / fs}-{b / fs} is empty");
        if (b - a > int.MaxValue) throw new NoiseInputException($"the GPS range {a / fs}-{b / fs} is too long to hold at once ({(b - a) / fs:F0} s at {fs} Hz)");
        var data = new double[b - a];
        Array.Fill(data, double.NaN);
        long covered = 0;
        foreach (var s in parts)
        {
            long s0 = Index(s.GpsStart), from = Math.Max(a, s0), to = Math.Min(b, s0 + s.Data.Length);
            if (to <= from) continue;
            s.Data.AsSpan((int)(from - s0), (int)(to - from)).CopyTo(data.AsSpan((int)(from - a)));
            covered += to - from;
        }
        if (covered == 0) throw new NoiseInputException($"no file covers GPS {a / fs}-{b / fs} (the files span {first.GpsStart}-{parts[^1].GpsStart + parts[^1].Duration})");
        return new StrainSeries(first.Channel, fs, a / fs, data, parts.Count == 1 ? first.Source : $"{parts.Count} files from {first.Source}");
    }

    /// <summary>A frame file's one channel (<see cref="Frames.GwfReader"/>; a file of several is an error naming them).</summary>
    private static StrainSeries ReadFrame(string path, string? channel)
    {
        var c = Frames.GwfReader.Read(path, channel);
        return new StrainSeries(c.Name, c.SampleRate, c.GpsStart, c.Data, path);
    }

    private static StrainSeries ReadParquet(string path) => ReadParquetAsync(path).GetAwaiter().GetResult();

    private static async Task<StrainSeries> ReadParquetAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        var meta = reader.CustomMetadata;
        var fields = reader.Schema.GetDataFields();
        var strainField = fields.FirstOrDefault(f => f.Name != "time")
            ?? throw new NoiseInputException($"{path}: no strain column besides 'time'");
        var data = new List<double>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            var n = (int)rg.RowCount;
            var buf = new float[n];
            await rg.ReadAsync<float>(strainField, buf.AsMemory()).ConfigureAwait(false);
            foreach (var v in buf) data.Add(v);
        }
        double rate = double.Parse(Need(meta, "sample_rate", path), CultureInfo.InvariantCulture);
        double gps = double.Parse(Need(meta, "gps_start", path), CultureInfo.InvariantCulture);
        return new StrainSeries(strainField.Name, rate, gps, data.ToArray(), path);
    }

    private static string Need(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out var v) ? v : throw new NoiseInputException($"{path}: Parquet metadata lacks '{key}' (not written by noise?)");

    private static StrainSeries ReadHdf5(string path)
    {
        using var file = H5File.OpenRead(path);
        if (!file.LinkExists("strain/Strain"))
            throw new NoiseInputException($"{path}: no /strain/Strain dataset (not a GWOSC-layout file)");
        var ds = file.Dataset("strain/Strain");
        double xstart = ReadNumberAttribute(ds, "Xstart");
        double xspacing = ReadNumberAttribute(ds, "Xspacing");
        double[] data = ds.Type.Size == 4
            ? Array.ConvertAll(ds.Read<float[]>(), v => (double)v)
            : ds.Read<double[]>();
        string detector = file.LinkExists("meta/Detector") ? file.Dataset("meta/Detector").Read<string>() : "?";
        string channel = ds.AttributeExists("Channel") ? ds.Attribute("Channel").Read<string>() : detector + ":GWOSC-STRAIN";
        return new StrainSeries(channel, Math.Round(1.0 / xspacing, 6), xstart, data, path);
    }

    private static double ReadNumberAttribute(IH5Dataset ds, string name)
    {
        if (!ds.AttributeExists(name)) throw new NoiseInputException($"/strain/Strain lacks attribute {name}");
        var a = ds.Attribute(name);
        return a.Type.Class == H5DataTypeClass.FloatingPoint
            ? (a.Type.Size == 4 ? a.Read<float>() : a.Read<double>())
            : a.Type.Size == 4 ? a.Read<int>() : a.Read<long>();
    }

    [GeneratedRegex(@"GPS\s*[:=]?\s*(\d+(?:\.\d+)?)", RegexOptions.IgnoreCase)]
    private static partial Regex GpsPattern();
    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*Hz", RegexOptions.IgnoreCase)]
    private static partial Regex RatePattern();

    /// <summary>GWOSC ASCII: '#' header lines giving the GPS start and the sample rate, then one value a line.</summary>
    private static StrainSeries ReadAscii(string path)
    {
        double? gps = null, rate = null;
        var data = new List<double>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            if (line[0] == '#')
            {
                var g = GpsPattern().Match(line);
                if (g.Success && gps is null) gps = double.Parse(g.Groups[1].Value, CultureInfo.InvariantCulture);
                var r = RatePattern().Match(line);
                if (r.Success && rate is null) rate = double.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture);
                continue;
            }
            if (!double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                throw new NoiseInputException($"{path}:{lineNo}: not a number: '{line}'");
            data.Add(v);
        }
        if (gps is null || rate is null)
            throw new NoiseInputException($"{path}: GWOSC ASCII header must state the GPS start and the sample rate in Hz");
        return new StrainSeries(Path.GetFileNameWithoutExtension(path), rate.Value, gps.Value, data.ToArray(), path);
    }
}
