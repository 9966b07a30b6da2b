using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using Noise.Core;

namespace Noise.IO;

/// <summary>One LIGO_LW table: its columns (name without the table prefix, LIGO_LW type) and rows (null for an empty cell).</summary>
public sealed record LigoLwTable(string Name, IReadOnlyList<(string Name, string Type)> Columns, List<string?[]> Rows)
{
    public int Column(string name)
    {
        for (int i = 0; i < Columns.Count; i++) if (Columns[i].Name == name) return i;
        return -1;
    }
}

/// <summary>
/// LIGO_LW XML, the IGWD community's table format for triggers (`sngl_burst` for burst triggers), plain or gzipped
/// (.xml.gz): a reader for any document's tables (columns and their delimited streams, quoted strings, empty cells)
/// and a writer of the process, search_summary and sngl_burst tables for noise's triggers. The model's class rides
/// in sngl_burst's `search` column ("glitchnet:Blip"), as the table has no class column; the glitch probability is
/// its `confidence`.
/// </summary>
public static class LigoLw
{
    public static Dictionary<string, LigoLwTable> Read(string path)
    {
        if (!File.Exists(path)) throw new NoiseInputException($"{path}: file not found");
        try
        {
            using var file = File.OpenRead(path);
            using Stream input = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
            using var reader = XmlReader.Create(input, settings);
            var doc = new XmlDocument { XmlResolver = null };
            doc.Load(reader);
            var tables = new Dictionary<string, LigoLwTable>(StringComparer.Ordinal);
            foreach (XmlElement t in doc.GetElementsByTagName("Table"))
            {
                string name = Strip(t.GetAttribute("Name"));
                var columns = t.GetElementsByTagName("Column").Cast<XmlElement>().Select(c => (Strip(c.GetAttribute("Name"), name), c.GetAttribute("Type"))).ToList();
                var stream = t.GetElementsByTagName("Stream").Cast<XmlElement>().FirstOrDefault();
                var rows = new List<string?[]>();
                if (stream is not null && columns.Count > 0)
                {
                    char delimiter = stream.GetAttribute("Delimiter") is { Length: 1 } d ? d[0] : ',';
                    var cells = Tokens(stream.InnerText, delimiter);
                    if (cells.Count % columns.Count != 0)
                        throw new NoiseInputException($"{path}: table {name} holds {cells.Count} cells for {columns.Count} columns");
                    for (int i = 0; i < cells.Count; i += columns.Count) rows.Add(cells.GetRange(i, columns.Count).ToArray());
                }
                tables[name] = new LigoLwTable(name, columns, rows);
            }
            return tables;
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            throw new NoiseInputException($"{path}: not a readable LIGO_LW document: {e.Message}");
        }
    }

    /// <summary>The sngl_burst rows of a document as trigger records (pipeline from `search`, the class after its colon).</summary>
    public static List<TriggerRecord> ReadSnglBurst(string path)
    {
        var tables = Read(path);
        if (!tables.TryGetValue("sngl_burst", out var t)) throw new NoiseInputException($"{path}: no sngl_burst table");
        double Num(string?[] r, string col) => t.Column(col) is >= 0 and var i && r[i] is { Length: > 0 } v ? double.Parse(v, CultureInfo.InvariantCulture) : double.NaN;
        string Str(string?[] r, string col) => t.Column(col) is >= 0 and var i ? r[i] ?? "" : "";
        GpsTime Time(string?[] r, string col) => new((long)Num(r, col), (int)(double.IsNaN(Num(r, col + "_ns")) ? 0 : Num(r, col + "_ns")));
        return t.Rows.Select(r =>
        {
            var search = Str(r, "search");
            int colon = search.IndexOf(':', StringComparison.Ordinal);
            return new TriggerRecord
            {
                Ifo = Str(r, "ifo"), Channel = Str(r, "channel"), Pipeline = colon < 0 ? search : search[..colon], Class = colon < 0 ? "" : search[(colon + 1)..],
                PeakTime = Time(r, "peak_time"), StartTime = Time(r, "start_time"), Duration = Num(r, "duration"),
                CentralFrequency = Num(r, "central_freq"), Bandwidth = Num(r, "bandwidth"), Snr = Num(r, "snr"), Amplitude = Num(r, "amplitude"),
                Probability = colon < 0 ? double.NaN : Num(r, "confidence"),
            };
        }).ToList();
    }

    private static readonly (string Name, string Type)[] SnglBurstColumns =
    [
        ("process_id", "ilwd:char"), ("ifo", "lstring"), ("search", "lstring"), ("channel", "lstring"), ("start_time", "int_4s"), ("start_time_ns", "int_4s"),
        ("peak_time", "int_4s"), ("peak_time_ns", "int_4s"), ("duration", "real_4"), ("flow", "real_4"), ("fhigh", "real_4"), ("central_freq", "real_4"),
        ("bandwidth", "real_4"), ("amplitude", "real_4"), ("snr", "real_4"), ("confidence", "real_4"), ("chisq", "real_8"), ("chisq_dof", "real_8"), ("event_id", "ilwd:char"),
    ];

    /// <summary>Writes process, search_summary and sngl_burst tables (.xml, or gzipped when the path ends in .gz), atomically.</summary>
    public static void WriteSnglBurst(string path, IReadOnlyList<TriggerRecord> rows, string program, string version, GpsTime searchStart, GpsTime searchEnd, string ifos)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        sb.Append("<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE LIGO_LW SYSTEM \"http://ldas-sw.ligo.caltech.edu/doc/ligolwAPI/html/ligolw_dtd.txt\">\n<LIGO_LW>\n");
        Table(sb, "process", [("program", "lstring"), ("version", "lstring"), ("ifos", "lstring"), ("start_time", "int_4s"), ("end_time", "int_4s"), ("process_id", "ilwd:char")],
            [[Q(program), Q(version), Q(ifos), I(searchStart.Seconds), I(searchEnd.Seconds), Q("process:process_id:0")]]);
        Table(sb, "search_summary", [("process_id", "ilwd:char"), ("comment", "lstring"), ("ifos", "lstring"), ("in_start_time", "int_4s"), ("in_start_time_ns", "int_4s"),
            ("in_end_time", "int_4s"), ("in_end_time_ns", "int_4s"), ("out_start_time", "int_4s"), ("out_start_time_ns", "int_4s"), ("out_end_time", "int_4s"), ("out_end_time_ns", "int_4s"), ("nevents", "int_4s"), ("nnodes", "int_4s")],
            [[Q("process:process_id:0"), Q(program + " " + version), Q(ifos), I(searchStart.Seconds), I(searchStart.Nanoseconds), I(searchEnd.Seconds), I(searchEnd.Nanoseconds),
              I(searchStart.Seconds), I(searchStart.Nanoseconds), I(searchEnd.Seconds), I(searchEnd.Nanoseconds), I(rows.Count), I(1)]]);
        Table(sb, "sngl_burst", SnglBurstColumns, rows.Select((r, i) => new[]
        {
            Q("process:process_id:0"), Q(r.Ifo), Q(r.Class.Length > 0 ? r.Pipeline + ":" + r.Class : r.Pipeline), Q(r.Channel), I(r.StartTime.Seconds), I(r.StartTime.Nanoseconds),
            I(r.PeakTime.Seconds), I(r.PeakTime.Nanoseconds), R(r.Duration), R(Math.Max(0, r.CentralFrequency - r.Bandwidth / 2)), R(r.CentralFrequency + r.Bandwidth / 2), R(r.CentralFrequency),
            R(r.Bandwidth), R(r.Amplitude), R(r.Snr), R(double.IsNaN(r.Probability) ? r.Snr : r.Probability), R(double.NaN), R(double.NaN), Q($"sngl_burst:event_id:{i}"),
        }).ToList());
        sb.Append("</LIGO_LW>\n");
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        AtomicFile.Write(path, tmp =>
        {
            using var f = File.Create(tmp);
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                using var z = new GZipStream(f, CompressionLevel.Optimal);
                z.Write(bytes);
            }
            else f.Write(bytes);
        });
    }

    private static void Table(StringBuilder sb, string name, IReadOnlyList<(string Name, string Type)> columns, IReadOnlyList<string[]> rows)
    {
        sb.Append(CultureInfo.InvariantCulture, $"\t<Table Name=\"{name}:table\">\n");
        foreach (var (c, type) in columns) sb.Append(CultureInfo.InvariantCulture, $"\t\t<Column Type=\"{type}\" Name=\"{name}:{c}\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"\t\t<Stream Delimiter=\",\" Type=\"Local\" Name=\"{name}:table\">\n");
        for (int i = 0; i < rows.Count; i++) sb.Append("\t\t\t").Append(string.Join(",", rows[i])).Append(i + 1 < rows.Count ? ",\n" : "\n");
        sb.Append("\t\t</Stream>\n\t</Table>\n");
    }

    private static string Q(string s) => "\"" + System.Security.SecurityElement.Escape(s).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string R(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    /// <summary>"sngl_burst:table" -> "sngl_burst"; "sngl_burst:snr" -> "snr" (the table prefix of a column).</summary>
    private static string Strip(string name, string? table = null)
    {
        if (table is null) return name.EndsWith(":table", StringComparison.Ordinal) ? name[..^6] : name;
        return name.StartsWith(table + ":", StringComparison.Ordinal) ? name[(table.Length + 1)..] : name[(name.LastIndexOf(':') + 1)..];
    }

    /// <summary>The cells of a stream: delimited, strings in double quotes (with \" and \\ escapes), whitespace between cells ignored, empty cells null.</summary>
    private static List<string?> Tokens(string text, char delimiter)
    {
        var cells = new List<string?>();
        var cur = new StringBuilder();
        bool quoted = false, wasQuoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < text.Length) { cur.Append(text[++i]); continue; }
                if (c == '"') { quoted = false; continue; }
                cur.Append(c);
                continue;
            }
            if (c == '"') { quoted = true; wasQuoted = true; any = true; continue; }
            if (c == delimiter)
            {
                cells.Add(wasQuoted || cur.Length > 0 ? cur.ToString() : null);
                cur.Clear();
                wasQuoted = false;
                any = false;
                continue;
            }
            if (char.IsWhiteSpace(c)) continue;
            cur.Append(c);
            any = true;
        }
        if (any || wasQuoted) cells.Add(wasQuoted || cur.Length > 0 ? cur.ToString() : null);
        return cells;
    }
}
