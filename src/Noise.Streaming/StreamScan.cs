using System.Text.Json.Nodes;
using Noise.Core;
using Noise.Detection;
using Noise.Detection.Model;
using Noise.Simulation;
using Noise.Streaming.Sources;

namespace Noise.Streaming;

/// <summary>
/// Evaluation through the streaming pipeline itself: the scenario is replayed by the twin source at full speed into a
/// <see cref="StreamPipeline"/> (running median PSD, least-squares FIR whitening, the baseline on 16 s segments),
/// every window it scores and every tile its baseline finds are kept, and triggers are made from them at any threshold
/// by the stream's own rules (<see cref="StreamClusterer"/>; the baseline clustered segment by segment). At a given
/// threshold these are the triggers `noise stream` would send for the same data (a test holds them equal).
/// </summary>
public sealed class StreamScan(Detector detector, StreamSettings settings, int threads) : IScanPipeline
{
    /// <summary>
    /// Data fed before the stretch so the running PSD holds its full history when the stretch begins (a stream
    /// running for a while, not one just started), and after it so the last windows and baseline segments are whitened
    /// and searched as in the middle of a stream.
    /// </summary>
    public double LeadSeconds => settings.PsdSeconds + settings.PsdUpdateSeconds + 8;
    public double TailSeconds => settings.BaselineStep + settings.BaselinePad + settings.FilterSeconds + detector.Spec.WindowSeconds;

    public string Name => "stream";

    public JsonObject Settings() => new()
    {
        ["hold_seconds"] = settings.HoldSeconds,
        ["filter_seconds"] = settings.FilterSeconds,
        ["psd_seconds"] = settings.PsdSeconds,
        ["psd_update_seconds"] = settings.PsdUpdateSeconds,
        ["stride_seconds"] = settings.StrideSeconds ?? detector.Spec.StrideSeconds,
        ["baseline_step_seconds"] = settings.BaselineStep,
        ["lead_seconds"] = LeadSeconds,
    };

    /// <summary>
    /// The settings an evaluation's stream runs with: no baseline segment is dropped, whitening and batches never
    /// depend on the clock, and the baseline keeps every tile from the evaluation's SNR floor up.
    /// </summary>
    public static StreamSettings SettingsFor(DetectorSpec spec, StreamSettings? basis = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return (basis ?? new StreamSettings()) with
        {
            Baseline = true,
            BaselineMayDrop = false,
            WholeBlocks = true,
            BaselineSnr = Evaluator.BaselineSettings(spec).SnrThreshold,
        };
    }

    public ScanResult Scan(Scenario scenario, SignalComponents components, double seconds, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        double start = scenario.GpsStart.ToDouble(), end = start + seconds;
        var scores = new List<WindowScore>();
        var tiles = new List<QTrigger>();
        var pipeline = new StreamPipeline(detector, settings, [], new StreamMetrics())
        {
            WindowScored = w => { if (w.Start >= start && w.Start + detector.Spec.WindowSeconds <= end) scores.Add(w); },
            BaselineSearched = found => { lock (tiles) tiles.AddRange(found.Where(q => q.Time >= start && q.Time < end)); },
        };
        var source = new ProgressSource(new TwinSource(scenario, seconds + TailSeconds, new Pacer(double.PositiveInfinity), DeviceChoice.Cpu, threads, components, LeadSeconds),
            start - LeadSeconds, seconds + LeadSeconds + TailSeconds, progress);
        pipeline.RunAsync(source, CancellationToken.None).GetAwaiter().GetResult();
        // segments are searched in order on the baseline's thread; the sort makes time order a property of the result
        tiles.Sort((a, b) => a.Time.CompareTo(b.Time));
        return new ScanResult(scores, tiles, IScanPipeline.UnreadyOf(scenario, seconds));
    }

    public List<ModelTrigger> ModelTriggers(List<WindowScore> scores, double threshold)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var clusterer = new StreamClusterer(detector, settings.HoldSeconds, settings.StrideSeconds ?? detector.Spec.StrideSeconds);
        var triggers = new List<ModelTrigger>();
        foreach (var w in scores) triggers.AddRange(clusterer.Feed(w.Start, w, threshold));
        triggers.AddRange(clusterer.Flush(threshold));
        return triggers;
    }

    public List<QTrigger> BaselineTriggers(List<QTrigger> tiles, double snr)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        double cluster = Evaluator.BaselineSettings(detector.Spec).ClusterSeconds;
        // the stream clusters each segment's tiles on its own (segments start on multiples of BaselineStep GPS seconds)
        return tiles.Where(t => t.Snr >= snr).GroupBy(t => Math.Floor(t.Time / settings.BaselineStep))
            .SelectMany(g => QTriggers.Cluster(g.ToList(), cluster)).ToList();
    }

    /// <summary>Passes frames on, reporting the fraction of the replay done.</summary>
    private sealed class ProgressSource(IStrainSource inner, double from, double seconds, Action<double>? progress) : IStrainSource
    {
        public string Description => inner.Description;
        public long? TicksAtGps(double gps) => inner.TicksAtGps(gps);

        public async IAsyncEnumerable<StrainFrame> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            double reported = 0;
            await foreach (var f in inner.ReadAsync(ct).ConfigureAwait(false))
            {
                double done = Math.Clamp(((double)f.EndSample / f.SampleRate - from) / seconds, 0, 1);
                if (progress is not null && done - reported >= 0.1) { progress(done); reported = done; }
                yield return f;
            }
            progress?.Invoke(1);
        }
    }
}
