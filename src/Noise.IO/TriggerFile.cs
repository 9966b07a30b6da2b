using System.Text;
using System.Text.Json;
using Noise.Core;
using Parquet;
using Parquet.Schema;

namespace Noise.IO;

/// <summary>Triggers as Parquet and JSON lines with the same column names (see <see cref="TriggerRecord"/>), written atomically.</summary>
public static class TriggerFile
{
    public static void WriteParquet(string path, IReadOnlyList<TriggerRecord> rows, IReadOnlyDictionary<string, string> metadata)
        => WriteAsync(path, rows, metadata).GetAwaiter().GetResult();

    private static async Task WriteAsync(string path, IReadOnlyList<TriggerRecord> rows, IReadOnlyDictionary<string, string> metadata)
    {
        var s = new DataField<string>("ifo"); var ch = new DataField<string>("channel"); var pl = new DataField<string>("pipeline");
        var time = new DataField<double>("time"); var pk = new DataField<long>("peak_time"); var pkns = new DataField<int>("peak_time_ns");
        var st = new DataField<long>("start_time"); var stns = new DataField<int>("start_time_ns"); var dur = new DataField<double>("duration");
        var cf = new DataField<double>("central_freq"); var bw = new DataField<double>("bandwidth"); var snr = new DataField<double>("snr");
        var amp = new DataField<double>("amplitude"); var q = new DataField<double>("q"); var cls = new DataField<string>("class");
        var prob = new DataField<double>("probability"); var cprob = new DataField<double>("class_probability");
        var schema = new ParquetSchema(s, ch, pl, time, pk, pkns, st, stns, dur, cf, bw, snr, amp, q, cls, prob, cprob);
        using var file = new AtomicFile(path);
        await using (var stream = new FileStream(file.TempPath, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false);
            writer.CustomMetadata = metadata.ToDictionary();
            using var rg = writer.CreateRowGroup();
            async Task D(DataField<double> f, Func<TriggerRecord, double> v) => await rg.WriteAsync(f, new ReadOnlyMemory<double>(rows.Select(v).ToArray())).ConfigureAwait(false);
            async Task S(DataField<string> f, Func<TriggerRecord, string> v) => await rg.WriteAsync(f, rows.Select(v).ToArray<string?>()).ConfigureAwait(false);
            await S(s, r => r.Ifo); await S(ch, r => r.Channel); await S(pl, r => r.Pipeline);
            await D(time, r => r.PeakTime.ToDouble());
            await rg.WriteAsync(pk, new ReadOnlyMemory<long>(rows.Select(r => r.PeakTime.Seconds).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(pkns, new ReadOnlyMemory<int>(rows.Select(r => r.PeakTime.Nanoseconds).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(st, new ReadOnlyMemory<long>(rows.Select(r => r.StartTime.Seconds).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(stns, new ReadOnlyMemory<int>(rows.Select(r => r.StartTime.Nanoseconds).ToArray())).ConfigureAwait(false);
            await D(dur, r => r.Duration); await D(cf, r => r.CentralFrequency); await D(bw, r => r.Bandwidth); await D(snr, r => r.Snr);
            await D(amp, r => r.Amplitude); await D(q, r => r.Q); await S(cls, r => r.Class); await D(prob, r => r.Probability); await D(cprob, r => r.ClassProbability);
        }
        file.Commit();
    }

    /// <summary>One JSON object per line; NaN becomes null. <paramref name="extra"/> writes more fields (streaming's latency and provenance).</summary>
    public static string ToJson(TriggerRecord r, Action<Utf8JsonWriter>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("ifo", r.Ifo);
            w.WriteString("channel", r.Channel);
            w.WriteString("pipeline", r.Pipeline);
            JsonFields.Times(w, r.PeakTime, r.StartTime);
            JsonFields.Num(w, "duration", r.Duration);
            JsonFields.Num(w, "central_freq", r.CentralFrequency);
            JsonFields.Num(w, "bandwidth", r.Bandwidth);
            JsonFields.Num(w, "snr", r.Snr);
            JsonFields.Num(w, "amplitude", r.Amplitude);
            JsonFields.Num(w, "q", r.Q);
            w.WriteString("class", r.Class);
            JsonFields.Num(w, "probability", r.Probability);
            JsonFields.Num(w, "class_probability", r.ClassProbability);
            extra?.Invoke(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static void WriteJsonLines(string path, IReadOnlyList<TriggerRecord> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        AtomicFile.WriteAllText(path, string.Concat(rows.Select(r => ToJson(r) + "\n")));
    }
}
