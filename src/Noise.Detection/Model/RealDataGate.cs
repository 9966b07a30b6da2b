using System.Text.Json.Nodes;
using Noise.Core;

namespace Noise.Detection.Model;

/// <summary>A real strain file held in memory, as the real-data gate reads it.</summary>
public sealed record RealStrain(string File, string Detector, string Channel, double SampleRate, double GpsStart, double[] Data);

/// <summary>
/// The real-data gate: both pipelines scan real strain exactly as `noise detect` does (block conditioning, the
/// thresholds the model runs at), and every trigger further than <see cref="EventGuardSeconds"/> from a catalogued
/// GW event counts as a false alarm: real detector data hold no labels, but they hold few glitches and no
/// ground truth is needed to count what fires. Each catalogued event the data cover is a signal the model must
/// not call a glitch. report.json's `real_data`.
/// </summary>
public sealed class RealDataGate(Detector detector, QTriggerSettings baseline)
{
    /// <summary>Triggers this close to a catalogued merger (s) belong to it: a merger is not a false alarm.</summary>
    public const double EventGuardSeconds = 1;

    public JsonObject Check(IEnumerable<RealStrain> files, IReadOnlyList<GwEvent> events, double modelThreshold, double baselineThreshold, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(events);
        var rows = new JsonArray();
        double seconds = 0;
        int model = 0, baselineCount = 0, eventsScanned = 0;
        var called = new List<string>();
        foreach (var f in files)
        {
            var row = CheckFile(f, events, modelThreshold, baselineThreshold);
            seconds += row["live_seconds"]!.GetValue<double>();
            model += row["model"]!["false_triggers"]!.GetValue<int>();
            baselineCount += row["baseline"]!["false_triggers"]!.GetValue<int>();
            foreach (var e in row["events"]!.AsArray())
            {
                if (!e!["scanned"]!.GetValue<bool>()) continue;
                eventsScanned++;
                if (e["model_called_glitch"]!.GetValue<bool>()) called.Add($"{e["name"]} in {f.Detector}");
            }
            log?.Invoke($"real: {Path.GetFileName(f.File)}: {row["live_seconds"]} s, model {row["model"]!["false_triggers"]} false triggers, baseline {row["baseline"]!["false_triggers"]}" +
                (row["events"]!.AsArray().Count > 0 ? $", events: {string.Join(", ", row["events"]!.AsArray().Select(e => $"{e!["name"]} {(e["model_called_glitch"]!.GetValue<bool>() ? $"called {e["model_class"]}" : "not called a glitch")}"))}" : ""));
            rows.Add(row);
        }
        double hours = seconds / 3600;
        return new JsonObject
        {
            ["pipeline"] = "block",
            ["note"] = $"triggers more than {EventGuardSeconds} s from a catalogued GW event count as false; live time leaves out the guarded seconds",
            ["model_threshold"] = Math.Round(modelThreshold, 6),
            ["baseline_threshold"] = Math.Round(baselineThreshold, 6),
            ["files"] = rows.Count,
            ["live_seconds"] = Math.Round(seconds, 2),
            ["model_false_triggers"] = model,
            ["model_false_per_hour"] = hours > 0 ? Math.Round(model / hours, 2) : null,
            ["baseline_false_triggers"] = baselineCount,
            ["baseline_false_per_hour"] = hours > 0 ? Math.Round(baselineCount / hours, 2) : null,
            ["events_scanned"] = eventsScanned,
            ["events_called_glitch"] = called.Count,
            ["events_called_glitch_list"] = new JsonArray(called.Select(c => (JsonNode)c).ToArray()),
            ["per_file"] = rows,
        };
    }

    private JsonObject CheckFile(RealStrain f, IReadOnlyList<GwEvent> events, double modelThreshold, double baselineThreshold)
    {
        var spec = detector.Spec;
        if (Math.Round(f.SampleRate) < spec.SampleRate)
            throw new NoiseInputException($"{f.File}: sampled at {f.SampleRate} Hz, below the model's {spec.SampleRate} Hz");
        var (scores, tiles) = new StrainScanner(detector, baseline, modelThreshold).ScanSeries(f.SampleRate, f.GpsStart, f.Data);
        var spans = Covered(scores.Select(s => s.Start).Order().ToList(), spec.WindowSeconds);
        bool InData(double t) => spans.Any(s => t >= s.Lo && t <= s.Hi);
        var near = events.Where(e => spans.Any(s => e.Gps + EventGuardSeconds >= s.Lo && e.Gps - EventGuardSeconds <= s.Hi)).ToList();
        GwEvent? EventAt(double t) => near.FirstOrDefault(e => Math.Abs(t - e.Gps) <= EventGuardSeconds);
        double guarded = near.Sum(e => spans.Sum(s => Math.Max(0, Math.Min(s.Hi, e.Gps + EventGuardSeconds) - Math.Max(s.Lo, e.Gps - EventGuardSeconds))));
        double live = spans.Sum(s => s.Hi - s.Lo) - guarded;

        var modelTriggers = detector.Triggers(scores, modelThreshold);
        var baseTriggers = QTriggers.Cluster(tiles.Where(t => t.Snr >= baselineThreshold).ToList(), baseline.ClusterSeconds);
        var modelRows = new JsonArray(modelTriggers.Select(t => (JsonNode)new JsonObject
        {
            ["time"] = Math.Round(t.Time, 4),
            ["probability"] = Math.Round(t.Probability, 4),
            ["class"] = t.Class,
            ["class_probability"] = Math.Round(t.ClassProbability, 4),
            ["event"] = EventAt(t.Time)?.Name,
        }).ToArray());
        var baseRows = new JsonArray(baseTriggers.Select(q => (JsonNode)new JsonObject
        {
            ["time"] = Math.Round(q.Time, 4),
            ["snr"] = Math.Round(q.Snr, 3),
            ["frequency"] = Math.Round(q.Frequency, 1),
            ["event"] = EventAt(q.Time)?.Name,
        }).ToArray());
        int modelFalse = modelTriggers.Count(t => EventAt(t.Time) is null), baseFalse = baseTriggers.Count(q => EventAt(q.Time) is null);
        double hours = live / 3600;
        return new JsonObject
        {
            ["file"] = Path.GetFileName(f.File),
            ["detector"] = f.Detector,
            ["channel"] = f.Channel,
            ["sample_rate"] = f.SampleRate,
            ["gps_start"] = f.GpsStart,
            ["duration_seconds"] = f.Data.Length / f.SampleRate,
            ["live_seconds"] = Math.Round(live, 2),
            ["model"] = new JsonObject
            {
                ["false_triggers"] = modelFalse,
                ["false_per_hour"] = hours > 0 ? Math.Round(modelFalse / hours, 1) : null,
                ["max_probability"] = scores.Count > 0 ? Math.Round(scores.Max(s => s.GlitchProbability), 4) : null,
                ["triggers"] = modelRows,
            },
            ["baseline"] = new JsonObject
            {
                ["false_triggers"] = baseFalse,
                ["false_per_hour"] = hours > 0 ? Math.Round(baseFalse / hours, 1) : null,
                ["triggers"] = baseRows,
            },
            ["events"] = new JsonArray(near.Select(e =>
            {
                var m = modelTriggers.Where(t => Math.Abs(t.Time - e.Gps) <= EventGuardSeconds).MaxBy(t => t.Probability);
                var b = baseTriggers.Where(q => Math.Abs(q.Time - e.Gps) <= EventGuardSeconds).MaxBy(q => q.Snr);
                return (JsonNode)new JsonObject
                {
                    ["name"] = e.Name,
                    ["gps"] = e.Gps,
                    ["scanned"] = InData(e.Gps),
                    ["model_called_glitch"] = m is not null,
                    ["model_class"] = m?.Class,
                    ["model_probability"] = m is null ? null : Math.Round(m.Probability, 4),
                    ["max_window_probability"] = scores.Where(s => e.Gps >= s.Start && e.Gps <= s.Start + spec.WindowSeconds).Select(s => (double?)Math.Round(s.GlitchProbability, 4)).Max(),
                    ["baseline_snr"] = b is null ? null : Math.Round(b.Snr, 3),
                    ["cbc"] = CbcAt(scores, e.Gps, spec.WindowSeconds),
                };
            }).ToArray()),
        };
    }

    /// <summary>The compact-binary test's best fit in a tested window covering t (null where none was tested).</summary>
    private static JsonObject? CbcAt(List<WindowScore> scores, double t, double window)
    {
        var m = scores.Where(s => s.Cbc is not null && t >= s.Start && t <= s.Start + window).Select(s => s.Cbc!).MaxBy(c => c.Snr);
        return m is null ? null : new JsonObject
        {
            ["consistent"] = m.Consistent,
            ["snr"] = Math.Round(m.Snr, 3),
            ["reduced_chi_square"] = double.IsFinite(m.ReducedChiSquare) ? Math.Round(m.ReducedChiSquare, 3) : null,
            ["chirp_mass"] = double.IsFinite(m.ChirpMass) ? Math.Round(m.ChirpMass, 2) : null,
            ["mass_ratio"] = double.IsFinite(m.MassRatio) ? Math.Round(m.MassRatio, 2) : null,
            ["edge_preference"] = Math.Round(m.EdgePreference, 3),
            ["merger_time"] = double.IsFinite(m.Time) ? Math.Round(m.Time, 4) : null,
            ["model_probability"] = Math.Round(m.ModelProbability, 4),
        };
    }

    /// <summary>The stretches (GPS seconds) that sorted window starts cover, windows of the given length.</summary>
    public static List<(double Lo, double Hi)> Covered(IReadOnlyList<double> starts, double window)
    {
        ArgumentNullException.ThrowIfNull(starts);
        var spans = new List<(double Lo, double Hi)>();
        foreach (var s in starts)
        {
            if (spans.Count > 0 && s <= spans[^1].Hi) spans[^1] = (spans[^1].Lo, Math.Max(spans[^1].Hi, s + window));
            else spans.Add((s, s + window));
        }
        return spans;
    }
}
