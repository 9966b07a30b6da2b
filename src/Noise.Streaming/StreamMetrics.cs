using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Noise.Core;

namespace Noise.Streaming;

/// <summary>
/// Latencies in fixed log-spaced buckets (40 per decade from 10 µs to 1000 s): constant memory for any run
/// length, quantiles to within one bucket (6 %), and the Prometheus histogram exposition for free.
/// </summary>
public sealed class LatencyHistogram
{
    private const double Min = 1e-5;
    private const int PerDecade = 40, Decades = 8;
    private readonly long[] _counts = new long[PerDecade * Decades + 2];
    private readonly Lock _gate = new();
    private double _sum, _max;
    private long _n;

    public void Add(double seconds)
    {
        if (!double.IsFinite(seconds)) return;
        // bucket b holds (Upper(b - 1), Upper(b)], as Prometheus' le ("less or equal") reads it
        int b = seconds <= Min ? 0 : Math.Min(_counts.Length - 1, (int)Math.Ceiling(Math.Log10(seconds / Min) * PerDecade - 1e-9));
        lock (_gate) { _counts[b]++; _n++; _sum += seconds; _max = Math.Max(_max, seconds); }
    }

    public long Count { get { lock (_gate) return _n; } }

    private static double Upper(int b) => Min * Math.Pow(10, (double)b / PerDecade);

    /// <summary>The q-quantile (upper edge of its bucket, capped at the largest value seen); NaN when empty.</summary>
    public double Quantile(double q)
    {
        lock (_gate)
        {
            if (_n == 0) return double.NaN;
            long rank = (long)Math.Ceiling(q * _n), seen = 0;
            for (int b = 0; b < _counts.Length; b++)
            {
                seen += _counts[b];
                if (seen >= Math.Max(1, rank)) return Math.Min(Upper(b), _max);
            }
            return _max;
        }
    }

    public JsonObject Summary(double scale) => new()
    {
        ["count"] = Count,
        ["p50"] = Round(Quantile(0.5) * scale),
        ["p90"] = Round(Quantile(0.9) * scale),
        ["p99"] = Round(Quantile(0.99) * scale),
        ["max"] = Round(Max * scale),
        ["mean"] = Round(Count > 0 ? Sum / Count * scale : double.NaN),
    };

    public double Max { get { lock (_gate) return _max; } }
    public double Sum { get { lock (_gate) return _sum; } }

    private static JsonNode? Round(double v) => double.IsFinite(v) ? Math.Round(v, 4) : null;

    /// <summary>Prometheus histogram lines for this metric, with a coarse set of buckets.</summary>
    public void Prometheus(StringBuilder sb, string name, string labels)
    {
        long[] counts; long n; double sum;
        lock (_gate) { counts = (long[])_counts.Clone(); n = _n; sum = _sum; }
        long cumulative = 0;
        int next = 0;
        foreach (var le in new[] { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60 })
        {
            while (next < counts.Length && Upper(next) <= le * 1.0000001) cumulative += counts[next++];
            sb.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels}{(labels.Length > 0 ? "," : "")}le=\"{le.ToString(CultureInfo.InvariantCulture)}\"}} {cumulative}\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels}{(labels.Length > 0 ? "," : "")}le=\"+Inf\"}} {n}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{name}_sum{(labels.Length > 0 ? "{" + labels + "}" : "")} {sum.ToString("R", CultureInfo.InvariantCulture)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{name}_count{(labels.Length > 0 ? "{" + labels + "}" : "")} {n}\n");
    }
}

/// <summary>
/// Everything the service knows about itself, shared by the pipeline (writer) and the HTTP sink, the stats file
/// and the final summary (readers): counters, latency histograms per pipeline, the recent triggers and the
/// recent whitened spectrogram, each in fixed memory.
/// </summary>
public sealed class StreamMetrics
{
    public const int RecentTriggers = 200, SpectrogramColumns = 240;
    private readonly ConcurrentQueue<string> _recent = new();
    private readonly ConcurrentQueue<SpectrogramColumn> _columns = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public long Frames, Samples, NonFiniteSamples, NotReadySamples, LateFrames, OtherRateFrames, LateFiles, BadFiles, Reconnects,
        WindowsScored, BaselineSegments, BaselineDropped, SinkDropped, SseDropped, SseClients;
    public double GapSeconds;
    public double LastGps = double.NaN, FirstGps = double.NaN;
    public double DataSeconds;
    public bool PsdReady;
    public double PsdUpdatedGps = double.NaN;
    public long LastDataTicks;
    public readonly ConcurrentDictionary<string, long> TriggersByPipeline = new();
    public readonly LatencyHistogram ComputeModel = new(), ComputeBaseline = new(), EndToEndModel = new(), EndToEndBaseline = new();
    /// <summary>Every scored window, trigger or not: from the arrival of its last needed sample to its score.</summary>
    public readonly LatencyHistogram WindowDecision = new();
    /// <summary>Resident memory every 600 s of data (MB), for soaks.</summary>
    public readonly ConcurrentQueue<(double DataSeconds, double RssMb, double ManagedMb)> MemoryTimeline = new();
    public long RssStart, RssPeak, RssWarm;
    public double RssWarmAtData = double.NaN;

    public double UptimeSeconds => _clock.Elapsed.TotalSeconds;

    /// <summary>Wall seconds spent per stage (where a replay's time goes).</summary>
    public readonly ConcurrentDictionary<string, double> Timing = new();

    public void Time(string stage, long since) =>
        Timing.AddOrUpdate(stage, System.Diagnostics.Stopwatch.GetElapsedTime(since).TotalSeconds, (_, v) => v + System.Diagnostics.Stopwatch.GetElapsedTime(since).TotalSeconds);

    public void Recent(string json)
    {
        _recent.Enqueue(json);
        while (_recent.Count > RecentTriggers) _recent.TryDequeue(out _);
    }

    public IReadOnlyList<string> RecentJson() => _recent.ToArray();

    public void Column(SpectrogramColumn c)
    {
        _columns.Enqueue(c);
        while (_columns.Count > SpectrogramColumns) _columns.TryDequeue(out _);
    }

    public IReadOnlyList<SpectrogramColumn> Columns() => _columns.ToArray();

    /// <summary>"ok", "warming-up" (no PSD yet) or "stalled" (no data for 10 s of wall time after data flowed).</summary>
    public string Status()
    {
        if (Interlocked.Read(ref LastDataTicks) != 0 &&
            System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref LastDataTicks)).TotalSeconds > 10) return "stalled";
        return PsdReady ? "ok" : "warming-up";
    }

    public void SampleMemory()
    {
        long rss = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64;
        if (RssStart == 0) RssStart = rss;
        RssPeak = Math.Max(RssPeak, rss);
    }

    public JsonObject Stats(double speed)
    {
        // resident memory is read after glibc has handed freed memory back (as the timeline is)
        NativeHeap.Trim();
        SampleMemory();
        long rssNow = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64;
        var triggers = new JsonObject();
        foreach (var kv in TriggersByPipeline) triggers[kv.Key] = kv.Value;
        return new JsonObject
        {
            ["software"] = StreamTrigger.Software + " " + StreamTrigger.Version,
            ["uptime_s"] = Math.Round(UptimeSeconds, 3),
            ["data_seconds"] = Math.Round(DataSeconds, 3),
            ["throughput_x_realtime"] = UptimeSeconds > 0 ? Math.Round(DataSeconds / UptimeSeconds, 2) : null,
            ["speed"] = double.IsFinite(speed) ? speed : null,
            ["first_gps"] = double.IsFinite(FirstGps) ? FirstGps : null,
            ["last_gps"] = double.IsFinite(LastGps) ? LastGps : null,
            ["frames"] = Frames, ["samples"] = Samples,
            ["gap_seconds"] = Math.Round(GapSeconds, 6),
            ["non_finite_samples"] = NonFiniteSamples, ["not_ready_samples"] = NotReadySamples,
            ["late_frames"] = LateFrames, ["other_rate_frames"] = OtherRateFrames, ["late_files"] = LateFiles, ["bad_files"] = BadFiles, ["reconnects"] = Reconnects,
            ["windows_scored"] = WindowsScored, ["baseline_segments"] = BaselineSegments, ["baseline_dropped"] = BaselineDropped,
            ["sink_dropped"] = SinkDropped, ["sse_dropped"] = SseDropped,
            ["triggers"] = triggers,
            ["stage_seconds"] = new JsonObject(Timing.OrderBy(kv => kv.Key).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(kv.Value, 3)))),
            ["compute_latency_ms"] = new JsonObject { ["model"] = ComputeModel.Summary(1000), ["baseline"] = ComputeBaseline.Summary(1000), ["every_window"] = WindowDecision.Summary(1000) },
            ["end_to_end_latency_s"] = new JsonObject { ["model"] = EndToEndModel.Summary(1), ["baseline"] = EndToEndBaseline.Summary(1) },
            ["memory"] = new JsonObject
            {
                ["rss_start_mb"] = Math.Round(RssStart / 1048576.0, 1),
                ["rss_after_warmup_mb"] = RssWarm > 0 ? Math.Round(RssWarm / 1048576.0, 1) : null,
                ["warmup_data_seconds"] = double.IsFinite(RssWarmAtData) ? RssWarmAtData : null,
                ["rss_end_mb"] = Math.Round(rssNow / 1048576.0, 1),
                ["rss_peak_mb"] = Math.Round(RssPeak / 1048576.0, 1),
                ["growth_after_warmup_percent"] = RssWarm > 0 ? Math.Round(100.0 * (rssNow - RssWarm) / RssWarm, 2) : null,
                ["timeline"] = new JsonArray(MemoryTimeline.Select(m => (JsonNode)new JsonObject { ["data_seconds"] = m.DataSeconds, ["rss_mb"] = m.RssMb, ["managed_heap_mb"] = m.ManagedMb }).ToArray()),
            },
        };
    }

    /// <summary>The Prometheus text exposition (version 0.0.4).</summary>
    public string Prometheus()
    {
        var sb = new StringBuilder();
        void Counter(string name, string help, double v, string type = "counter")
        {
            sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n{name} {v.ToString("R", CultureInfo.InvariantCulture)}\n");
        }
        Counter("noise_stream_frames_total", "Strain frames received.", Frames);
        Counter("noise_stream_samples_total", "Strain samples received.", Samples);
        Counter("noise_stream_data_seconds_total", "Seconds of strain processed.", DataSeconds);
        Counter("noise_stream_gap_seconds_total", "Seconds of strain missing between frames.", GapSeconds);
        Counter("noise_stream_nonfinite_samples_total", "NaN or infinite samples received (flagged, never triggered on).", NonFiniteSamples);
        Counter("noise_stream_not_ready_samples_total", "Samples received while the detector was not analysis-ready.", NotReadySamples);
        Counter("noise_stream_late_frames_total", "Frames (or parts) that arrived after later data and were dropped.", LateFrames);
        Counter("noise_stream_other_rate_frames_total", "Frames at another sample rate than the stream's first (dropped).", OtherRateFrames);
        Counter("noise_stream_late_files_total", "dir: files that appeared after the stream had moved past them.", LateFiles);
        Counter("noise_stream_reconnects_total", "tcp: reconnections to the source.", Reconnects);
        Counter("noise_stream_windows_scored_total", "Model windows scored.", WindowsScored);
        Counter("noise_stream_baseline_dropped_total", "Baseline segments dropped because the baseline fell behind.", BaselineDropped);
        Counter("noise_stream_sink_dropped_total", "Triggers dropped by a file sink that fell behind.", SinkDropped);
        Counter("noise_stream_sse_dropped_total", "Events dropped for slow SSE clients (oldest first).", SseDropped);
        Counter("noise_stream_sse_clients", "Connected SSE clients.", SseClients, "gauge");
        Counter("noise_stream_last_gps_seconds", "GPS time of the last sample received.", double.IsFinite(LastGps) ? LastGps : 0, "gauge");
        Counter("noise_stream_psd_ready", "1 once the running PSD exists.", PsdReady ? 1 : 0, "gauge");
        Counter("noise_stream_throughput_realtime_ratio", "Seconds of data per second of wall time since start.", UptimeSeconds > 0 ? DataSeconds / UptimeSeconds : 0, "gauge");
        sb.Append("# HELP noise_stream_triggers_total Triggers emitted.\n# TYPE noise_stream_triggers_total counter\n");
        foreach (var kv in TriggersByPipeline) sb.Append(CultureInfo.InvariantCulture, $"noise_stream_triggers_total{{pipeline=\"{kv.Key}\"}} {kv.Value}\n");
        sb.Append("# HELP noise_stream_compute_latency_seconds From the arrival of the last sample a decision needed to the trigger's emission.\n# TYPE noise_stream_compute_latency_seconds histogram\n");
        ComputeModel.Prometheus(sb, "noise_stream_compute_latency_seconds", "pipeline=\"glitchnet\"");
        ComputeBaseline.Prometheus(sb, "noise_stream_compute_latency_seconds", "pipeline=\"qtransform\"");
        sb.Append("# HELP noise_stream_window_latency_seconds From the arrival of a window's last needed sample to its score (every window).\n# TYPE noise_stream_window_latency_seconds histogram\n");
        WindowDecision.Prometheus(sb, "noise_stream_window_latency_seconds", "");
        sb.Append("# HELP noise_stream_end_to_end_latency_seconds From the transient's GPS time to the trigger's emission (paced and live sources).\n# TYPE noise_stream_end_to_end_latency_seconds histogram\n");
        EndToEndModel.Prometheus(sb, "noise_stream_end_to_end_latency_seconds", "pipeline=\"glitchnet\"");
        EndToEndBaseline.Prometheus(sb, "noise_stream_end_to_end_latency_seconds", "pipeline=\"qtransform\"");
        return sb.ToString();
    }
}

/// <summary>One column of the live spectrogram: log10 whitened power in log-spaced bands at a GPS time.</summary>
public sealed record SpectrogramColumn(double Gps, float[] Log10Power);
