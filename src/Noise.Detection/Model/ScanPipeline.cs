using System.Text.Json.Nodes;
using Noise.Core;
using Noise.Simulation;
using Noise.Simulation.Environment;

namespace Noise.Detection.Model;

/// <summary>What a pipeline scored over a stretch of a scenario: every window, every baseline tile, and the
/// stretches (GPS seconds) that were not analysis-ready.</summary>
public sealed record ScanResult(List<WindowScore> Scores, List<QTrigger> Tiles, List<(long Start, long End)> Unready);

/// <summary>
/// How evaluation runs the detector over a scenario and turns what it scored into triggers at a threshold. Two
/// implementations: <see cref="BlockScan"/> (block conditioning, as detect reads files) and the streaming
/// pipeline's (Noise.Streaming's StreamScan: running PSD, FIR whitening, the stream's clusterer), so a report can
/// say exactly how the triggers it counts would have been made.
/// </summary>
public interface IScanPipeline
{
    /// <summary>"stream" or "block", recorded in report.json.</summary>
    string Name { get; }

    /// <summary>What shapes its triggers besides the model (report.json's pipeline_settings).</summary>
    JsonObject Settings();

    /// <summary>Windows and tiles of [GPS start, GPS start + seconds) of the scenario with the given components.</summary>
    ScanResult Scan(Scenario scenario, SignalComponents components, double seconds, Action<double>? progress = null);

    /// <summary>The model triggers this pipeline reports from the scanned windows at a glitch-probability threshold.</summary>
    List<ModelTrigger> ModelTriggers(List<WindowScore> scores, double threshold);

    /// <summary>The baseline triggers this pipeline reports from the scanned tiles at an SNR threshold.</summary>
    List<QTrigger> BaselineTriggers(List<QTrigger> tiles, double snr);

    /// <summary>Not-analysis-ready stretches of [GPS start, GPS start + seconds) (GPS seconds): the scenario's lock timeline.</summary>
    public static List<(long Start, long End)> UnreadyOf(Scenario scenario, double seconds)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return scenario.Lock is null ? [] : new LockTimeline(scenario).Unready(scenario.GpsStart.Seconds, scenario.GpsStart.Seconds + (long)Math.Ceiling(seconds));
    }
}

/// <summary>
/// Block conditioning (<see cref="StrainScanner"/>: 256 s chunks, each whitened with its own median PSD) and the
/// offline clustering of <see cref="Detector.Triggers"/>: what `noise detect` does to a file.
/// </summary>
public sealed class BlockScan(Detector detector, QTriggerSettings baseline, int threads) : IScanPipeline
{
    public string Name => "block";

    public JsonObject Settings() => new() { ["chunk_seconds"] = StrainScanner.ChunkSeconds, ["cluster"] = "whole runs of windows, each at its most probable" };

    public ScanResult Scan(Scenario scenario, SignalComponents components, double seconds, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        using var device = ComputeDevice.Create(DeviceChoice.Cpu, threads);
        using var engine = new NoiseEngine(device, scenario, 64, components);
        int fs = scenario.SampleRate;
        long first = scenario.GpsStart.ToSampleIndex(fs), total = (long)Math.Round(seconds * fs);
        var (scores, tiles) = new StrainScanner(detector, baseline).Scan(fs, first, total,
            (a, x) => engine.Generate(a, x.Length, (span, at) => { for (int i = 0; i < span.Length; i++) x[at - a + i] = span[i]; }), progress);
        return new ScanResult(scores, tiles, IScanPipeline.UnreadyOf(scenario, seconds));
    }

    public List<ModelTrigger> ModelTriggers(List<WindowScore> scores, double threshold) => detector.Triggers(scores, threshold);

    public List<QTrigger> BaselineTriggers(List<QTrigger> tiles, double snr)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        return QTriggers.Cluster(tiles.Where(t => t.Snr >= snr).ToList(), baseline.ClusterSeconds);
    }
}
