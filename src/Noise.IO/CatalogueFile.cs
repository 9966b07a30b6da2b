using System.Globalization;
using System.Text;
using System.Text.Json;
using Noise.Core;
using Parquet;
using Parquet.Schema;

namespace Noise.IO;

/// <summary>
/// The ground-truth catalogue beside the strain: one row per event (see <see cref="TransientEvent"/>), as
/// Parquet (columns below, key-value metadata like the strain file's) and optionally JSON lines with the same
/// field names. Written atomically; rows in peak-time order.
/// </summary>
public static class CatalogueFile
{
    public static void WriteParquet(string path, IReadOnlyList<TransientEvent> rows, IReadOnlyDictionary<string, string> metadata)
        => WriteParquetAsync(path, rows, metadata).GetAwaiter().GetResult();

    private static async Task WriteParquetAsync(string path, IReadOnlyList<TransientEvent> rows, IReadOnlyDictionary<string, string> metadata)
    {
        var f = new
        {
            Id = new DataField<long>("event_id"), Ifo = new DataField<string>("ifo"), Channel = new DataField<string>("channel"),
            Class = new DataField<string>("class"), Kind = new DataField<string>("kind"), Time = new DataField<double>("time"),
            Peak = new DataField<long>("peak_time"), PeakNs = new DataField<int>("peak_time_ns"),
            Start = new DataField<long>("start_time"), StartNs = new DataField<int>("start_time_ns"),
            Duration = new DataField<double>("duration"), Central = new DataField<double>("central_freq"),
            PeakF = new DataField<double>("peak_frequency"), Bandwidth = new DataField<double>("bandwidth"),
            Q = new DataField<double>("q"), Snr = new DataField<double>("snr"), Hrss = new DataField<double>("hrss"),
            Amplitude = new DataField<double>("amplitude"), Witnesses = new DataField<string>("witnesses"),
            Cause = new DataField<string>("cause"),
        };
        var schema = new ParquetSchema(f.Id, f.Ifo, f.Channel, f.Class, f.Kind, f.Time, f.Peak, f.PeakNs, f.Start, f.StartNs,
            f.Duration, f.Central, f.PeakF, f.Bandwidth, f.Q, f.Snr, f.Hrss, f.Amplitude, f.Witnesses, f.Cause);
        using var file = new AtomicFile(path);
        await using (var stream = new FileStream(file.TempPath, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = System.IO.Compression.CompressionLevel.Fastest }).ConfigureAwait(false);
            writer.CustomMetadata = metadata.ToDictionary();
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(f.Id, new ReadOnlyMemory<long>(rows.Select(r => r.EventId).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Ifo, rows.Select(r => r.Ifo).ToArray<string?>()).ConfigureAwait(false);
            await rg.WriteAsync(f.Channel, rows.Select(r => r.Channel).ToArray<string?>()).ConfigureAwait(false);
            await rg.WriteAsync(f.Class, rows.Select(r => r.Class).ToArray<string?>()).ConfigureAwait(false);
            await rg.WriteAsync(f.Kind, rows.Select(r => r.Kind).ToArray<string?>()).ConfigureAwait(false);
            await rg.WriteAsync(f.Time, new ReadOnlyMemory<double>(rows.Select(r => r.PeakTime.ToDouble()).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Peak, new ReadOnlyMemory<long>(rows.Select(r => r.PeakTime.Seconds).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.PeakNs, new ReadOnlyMemory<int>(rows.Select(r => r.PeakTime.Nanoseconds).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Start, new ReadOnlyMemory<long>(rows.Select(r => r.StartTime.Seconds).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.StartNs, new ReadOnlyMemory<int>(rows.Select(r => r.StartTime.Nanoseconds).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Duration, new ReadOnlyMemory<double>(rows.Select(r => r.Duration).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Central, new ReadOnlyMemory<double>(rows.Select(r => r.CentralFrequency).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.PeakF, new ReadOnlyMemory<double>(rows.Select(r => r.PeakFrequency).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Bandwidth, new ReadOnlyMemory<double>(rows.Select(r => r.Bandwidth).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Q, new ReadOnlyMemory<double>(rows.Select(r => r.Q).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Snr, new ReadOnlyMemory<double>(rows.Select(r => r.Snr).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Hrss, new ReadOnlyMemory<double>(rows.Select(r => r.Hrss).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Amplitude, new ReadOnlyMemory<double>(rows.Select(r => r.Amplitude).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(f.Witnesses, rows.Select(r => r.Witnesses).ToArray<string?>()).ConfigureAwait(false);
            await rg.WriteAsync(f.Cause, rows.Select(r => r.Cause).ToArray<string?>()).ConfigureAwait(false);
        }
        file.Commit();
    }

    public static List<TransientEvent> ReadParquet(string path) => ReadParquetAsync(path).GetAwaiter().GetResult();

    private static async Task<List<TransientEvent>> ReadParquetAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields().ToDictionary(d => d.Name);
        var rows = new List<TransientEvent>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = (int)rg.RowCount;
            async Task<T[]> Col<T>(string name) where T : struct
            {
                var a = new T[n];
                await rg.ReadAsync<T>(fields[name], a.AsMemory()).ConfigureAwait(false);
                return a;
            }
            async Task<string?[]> Str(string name)
            {
                var a = new string?[n];
                await rg.ReadAsync(fields[name], a.AsMemory()).ConfigureAwait(false);
                return a;
            }
            var id = await Col<long>("event_id"); var ifo = await Str("ifo"); var ch = await Str("channel");
            var cls = await Str("class"); var kind = await Str("kind");
            var pk = await Col<long>("peak_time"); var pkns = await Col<int>("peak_time_ns");
            var st = await Col<long>("start_time"); var stns = await Col<int>("start_time_ns");
            var dur = await Col<double>("duration"); var cf = await Col<double>("central_freq"); var pf = await Col<double>("peak_frequency");
            var bw = await Col<double>("bandwidth"); var q = await Col<double>("q"); var snr = await Col<double>("snr");
            var hrss = await Col<double>("hrss"); var amp = await Col<double>("amplitude"); var wit = await Str("witnesses");
            var cause = fields.ContainsKey("cause") ? await Str("cause") : new string?[n];
            for (int i = 0; i < n; i++)
                rows.Add(new TransientEvent
                {
                    EventId = id[i], Ifo = ifo[i] ?? "", Channel = ch[i] ?? "", Class = cls[i] ?? "", Kind = kind[i] ?? "",
                    PeakTime = new GpsTime(pk[i], pkns[i]), StartTime = new GpsTime(st[i], stns[i]), Duration = dur[i],
                    CentralFrequency = cf[i], PeakFrequency = pf[i], Bandwidth = bw[i], Q = q[i], Snr = snr[i], Hrss = hrss[i],
                    Amplitude = amp[i], Witnesses = wit[i] ?? "", Cause = cause[i] ?? "",
                });
        }
        return rows;
    }

    /// <summary>JSON lines with the Parquet column names; NaN (q of families without one) becomes null.</summary>
    public static void WriteJsonLines(string path, IReadOnlyList<TransientEvent> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        foreach (var r in rows)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteNumber("event_id", r.EventId);
                w.WriteString("ifo", r.Ifo);
                w.WriteString("channel", r.Channel);
                w.WriteString("class", r.Class);
                w.WriteString("kind", r.Kind);
                JsonFields.Times(w, r.PeakTime, r.StartTime);
                JsonFields.Num(w, "duration", r.Duration);
                JsonFields.Num(w, "central_freq", r.CentralFrequency);
                JsonFields.Num(w, "peak_frequency", r.PeakFrequency);
                JsonFields.Num(w, "bandwidth", r.Bandwidth);
                JsonFields.Num(w, "q", r.Q);
                JsonFields.Num(w, "snr", r.Snr);
                JsonFields.Num(w, "hrss", r.Hrss);
                JsonFields.Num(w, "amplitude", r.Amplitude);
                w.WriteString("witnesses", r.Witnesses);
                w.WriteString("cause", r.Cause);
                w.WriteEndObject();
            }
            sb.Append(Encoding.UTF8.GetString(ms.ToArray())).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
