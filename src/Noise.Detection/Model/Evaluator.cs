using System.Text.Json;
using System.Text.Json.Nodes;
using Noise.Core;
using Noise.Simulation;
using Noise.Simulation.Environment;

namespace Noise.Detection.Model;

public sealed record EvaluateOptions
{
    public required Scenario Scenario { get; init; }
    public required double Duration { get; init; }
    /// <summary>
    /// Seconds of glitch-free data of the same scenario on which each threshold is set (at least an hour for a FAR of
    /// 1/h). Four hours by default: set on one hour, a 1/h threshold sits just above the second-loudest background
    /// trigger and moves a lot between hours (measured on O3 with v2: 0.8474 on one hour, 0.8915 on four).
    /// </summary>
    public double BackgroundSeconds { get; init; } = 14400;
    public double FarPerHour { get; init; } = 1;
    public int Threads { get; init; } = 2;
    /// <summary>
    /// When set, every glitch family of the labelled stretch is drawn from this SNR up (its power law kept): an
    /// injection campaign that fills the SNR bins below the scenario's own floor (O3's families start at 6.5). The
    /// glitch-free background, and so each threshold, does not change.
    /// </summary>
    public double? SnrFloor { get; init; }
    /// <summary>
    /// How the stretches are scanned and triggers made: the streaming pipeline (Noise.Streaming's StreamScan; what
    /// `noise evaluate` uses) or, when null, block conditioning (<see cref="BlockScan"/>, as detect reads files).
    /// </summary>
    public IScanPipeline? Pipeline { get; init; }
}

/// <summary>One catalogued transient and what each pipeline made of it.</summary>
public sealed record Outcome(TransientEvent Event, ModelTrigger? Model, QTrigger? Baseline);

/// <summary>
/// The evaluation: a fresh labelled stretch of the scenario and glitch-free data of it, both scanned and turned
/// into triggers by one <see cref="IScanPipeline"/> (the stream's, or block conditioning), the model's and the
/// baseline's thresholds set for the requested false-alarm rate on the glitch-free data, then efficiency by SNR,
/// timing, classes and a ROC on the labelled stretch.
/// </summary>
public sealed class Evaluator
{
    public static readonly double[] SnrEdges = [4, 5, 6, 8, 10, 15, 25, 50];
    private readonly Detector detector;
    private readonly EvaluateOptions options;

    public Evaluator(Detector detector, EvaluateOptions options)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(options);
        this.detector = detector;
        this.options = options;
        Baseline = BaselineSettings(detector.Spec);
        Pipeline = options.Pipeline ?? new BlockScan(detector, Baseline, options.Threads);
    }

    /// <summary>The baseline searches the band the model's conditioning keeps, as detect and streaming do.</summary>
    public QTriggerSettings Baseline { get; }
    public IScanPipeline Pipeline { get; }

    public static QTriggerSettings BaselineSettings(DetectorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new() { FMin = spec.Conditioning.FLow, FMax = spec.Conditioning.FHigh };
    }

    /// <summary>
    /// The smallest threshold at which the triggers counted on the background stay at or below the allowed number
    /// (rate x hours): candidates are the background triggers' own loudness, each tried just above itself, and
    /// counted again at that threshold (clusters can split as the threshold rises).
    /// </summary>
    public static double ThresholdFor(IEnumerable<double> loudness, Func<double, int> countAt, double hours, double farPerHour, double floor)
    {
        ArgumentNullException.ThrowIfNull(countAt);
        int allowed = (int)Math.Floor(farPerHour * hours);
        if (countAt(floor) <= allowed) return floor;
        double best = double.NaN;
        foreach (var v in loudness.Where(v => v >= floor).Distinct().OrderByDescending(v => v))
        {
            double th = v + Math.Max(1e-12, Math.Abs(v) * 1e-12);
            if (countAt(th) > allowed) break;
            best = th;
        }
        return double.IsNaN(best) ? loudness.Max() * 1.0001 : best;
    }

    /// <summary>
    /// Both thresholds for the requested rate, set on glitch-free data of the scenario (another seed), and the
    /// background's scored windows (for the ROC).
    /// </summary>
    public (double Model, double Baseline, double ModelFar, double BaselineFar, List<WindowScore> BackgroundScores) Thresholds(Scenario s, Action<string> log, Action<string, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(log);
        // background: the same scenario without transients (noise, lines, breathing, lock losses), another seed
        var bg = s with { Seed = s.Seed + 7_777_777, Glitches = [], Injections = null, Disturbances = [] };
        log($"background: {options.BackgroundSeconds} s of glitch-free '{s.Name}' (seed {bg.Seed})");
        var (bgScores, bgTiles, _) = Pipeline.Scan(bg, SignalComponents.Noise | SignalComponents.Lines, options.BackgroundSeconds, f => progress?.Invoke("background", f));
        double hours = options.BackgroundSeconds / 3600;
        int ModelCount(double th) => Pipeline.ModelTriggers(bgScores, th).Count;
        int BaseCount(double th) => Pipeline.BaselineTriggers(bgTiles, th).Count;
        double model = ThresholdFor(Pipeline.ModelTriggers(bgScores, 0.5).Select(t => t.Probability), ModelCount, hours, options.FarPerHour, 0.5);
        double baseline = ThresholdFor(Pipeline.BaselineTriggers(bgTiles, Baseline.SnrThreshold).Select(t => t.Snr), BaseCount, hours, options.FarPerHour, Baseline.SnrThreshold);
        log($"thresholds for {options.FarPerHour}/h ({Pipeline.Name} pipeline): model p >= {model:F4} ({ModelCount(model)} background triggers), baseline SNR >= {baseline:F2} ({BaseCount(baseline)})");
        return (model, baseline, ModelCount(model) / hours, BaseCount(baseline) / hours, bgScores);
    }

    public JsonObject Run(long seed, Action<string> log, Action<string, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var s = options.Scenario with { Seed = seed };
        var (modelThreshold, baselineThreshold, modelFar, baseFar, backgroundScores) = Thresholds(s, log, progress);
        if (options.SnrFloor is double floor)
        {
            s = s with { Glitches = s.Glitches.Select(g => g with { Snr = new ParamRange(Math.Min(floor, g.Snr.Min), g.Snr.Max) }).ToList() };
            log($"foreground glitches drawn from SNR {floor} up (--snr-floor)");
        }
        log($"foreground: {options.Duration} s of '{s.Name}' with every component (seed {seed})");
        var (scores, tiles, unready) = Pipeline.Scan(s, SignalComponents.All, options.Duration, f => progress?.Invoke("foreground", f));
        var (truth, notScanned) = Scanned(s, options.Duration, unready, scores);
        var report = Report(s, truth, scores, tiles, modelThreshold, baselineThreshold, modelFar, baseFar);
        report["glitches_not_scanned"] = notScanned;
        report["background_seconds"] = options.BackgroundSeconds;
        report["duration_seconds"] = options.Duration;
        report["snr_floor"] = options.SnrFloor;
        report["roc"] = Roc(backgroundScores, scores, truth, options.BackgroundSeconds / 3600);
        return report;
    }

    /// <summary>
    /// What both pipelines made of the truth at the given thresholds: efficiency by SNR, timing, class accuracy and
    /// confusion matrix (model), chirps taken for glitches, and every event's outcome. Shared by evaluate and run.
    /// </summary>
    public JsonObject Report(Scenario s, List<TransientEvent> truth, List<WindowScore> scores, List<QTrigger> tiles,
        double modelThreshold, double baselineThreshold, double modelFar, double baseFar)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(truth);
        var spec = detector.Spec;
        var modelTriggers = Pipeline.ModelTriggers(scores, modelThreshold);
        var baseTriggers = Pipeline.BaselineTriggers(tiles, baselineThreshold);
        var outcomes = truth.Select(e => new Outcome(e, Match(modelTriggers, e, t => t.Time), Match(baseTriggers, e, t => t.Time))).ToList();
        var glitches = outcomes.Where(o => o.Event.Kind == "glitch").ToList();

        var report = new JsonObject
        {
            ["scenario"] = s.Name,
            ["scenario_hash"] = s.ComputeHash(),
            ["seed"] = s.Seed,
            ["pipeline"] = Pipeline.Name,
            ["pipeline_settings"] = Pipeline.Settings(),
            ["glitches"] = glitches.Count,
            ["model"] = Section(glitches, o => o.Model?.Time, modelThreshold, modelFar),
            ["baseline"] = Section(glitches, o => o.Baseline?.Time, baselineThreshold, baseFar),
            ["ideal_search"] = IdealSection(glitches, options.FarPerHour),
        };
        var model = report["model"]!.AsObject();
        var loud = glitches.Where(o => o.Event.Snr >= 8 && o.Model is not null).ToList();
        model["class_accuracy_snr_ge_8"] = loud.Count > 0 ? Math.Round(loud.Count(o => o.Model!.Class == o.Event.Class) / (double)loud.Count, 4) : null;
        var classes = spec.Classes.Where(c => c is not (DetectorSpec.None or DetectorSpec.Chirp)).ToList();
        var truthClasses = loud.Select(o => o.Event.Class).Distinct().Order(StringComparer.Ordinal).ToList();
        model["confusion_matrix"] = new JsonObject
        {
            ["note"] = "rows: true class of glitches with SNR >= 8 that the model found; columns: its class",
            ["true"] = new JsonArray(truthClasses.Select(c => (JsonNode)c).ToArray()),
            ["predicted"] = new JsonArray(classes.Select(c => (JsonNode)c).ToArray()),
            ["counts"] = new JsonArray(truthClasses.Select(t => (JsonNode)new JsonArray(classes.Select(p => (JsonNode)loud.Count(o => o.Event.Class == t && o.Model!.Class == p)).ToArray())).ToArray()),
        };
        var chirps = outcomes.Where(o => o.Event.Kind == "astrophysical").ToList();
        model["chirps"] = chirps.Count;
        model["chirps_called_glitch"] = chirps.Count(o => o.Model is not null);
        // what the compact-binary test took off the model's glitch calls, by true kind (its cost and its gain)
        var cleared = scores.Where(w => w.Cbc is { Consistent: true }).Select(w => w.Start).ToList();
        bool Cleared(TransientEvent e) { double t = e.PeakTime.ToDouble(); return cleared.Any(s0 => t >= s0 && t <= s0 + spec.WindowSeconds); }
        report["cbc_check"] = detector.CbcCheck is not { } cbc ? null : new JsonObject
        {
            ["note"] = "runs of glitch windows an IMRPhenomA template explains are not glitches (CbcVeto); cleared: an event inside a window the test cleared",
            ["settings"] = JsonSerializer.SerializeToNode(cbc, ModelStore.Json),
            ["runs_tested_windows"] = scores.Count(w => w.Cbc is not null),
            ["glitches_cleared"] = glitches.Count(o => Cleared(o.Event)),
            ["chirps_cleared"] = chirps.Count(o => Cleared(o.Event)),
        };
        report["outcomes"] = new JsonArray(outcomes.Select(o => (JsonNode)new JsonObject
        {
            ["time"] = o.Event.PeakTime.ToDouble(),
            ["class"] = o.Event.Class,
            ["kind"] = o.Event.Kind,
            ["snr"] = Math.Round(o.Event.Snr, 3),
            ["model_found"] = o.Model is not null,
            ["model_class"] = o.Model?.Class,
            ["baseline_found"] = o.Baseline is not null,
            ["cbc_cleared"] = Cleared(o.Event),
        }).ToArray());
        return report;
    }

    /// <summary>Strain transients (glitches, coupled glitches, chirps) with their peak in a ready second.</summary>
    public List<TransientEvent> Truth(Scenario s, double seconds, List<(long Start, long End)> unready)
    {
        var rows = new List<TransientEvent>();
        int fs = s.SampleRate;
        long first = s.GpsStart.ToSampleIndex(fs), end = first + (long)Math.Round(seconds * fs);
        if (s.Glitches.Count > 0 || s.Injections is not null)
            rows.AddRange(new Simulation.Transients.GlitchPopulation(s).Catalogue(first, end));
        if (s.Disturbances.Count > 0)
            rows.AddRange(new DisturbancePopulation(s).Catalogue(GpsTime.FromSampleIndex(first, fs), GpsTime.FromSampleIndex(end, fs)).Where(r => r.Channel == s.Channel));
        double w = detector.Spec.WindowSeconds;
        // no window can cover a peak closer than the conditioning's edge to unready data: such events are not counted
        long near = (long)Math.Ceiling(detector.Spec.Conditioning.EdgeSeconds + w);
        return rows.Where(r =>
        {
            double t = r.PeakTime.ToDouble();
            long sec = r.PeakTime.Seconds;
            return t >= (double)first / fs + w && t < (double)end / fs - w && !unready.Any(u => sec >= u.Start - near && sec < u.End + near);
        }).OrderBy(r => r.PeakTime).ToList();
    }

    /// <summary>
    /// The events whose peak lies inside one of the pipeline's scored windows. Conditioning gives up more than
    /// <see cref="Truth"/>'s margin beside some gaps (a 256 s chunk tapers 16 s at each edge of its data), and an
    /// event there was shown to neither pipeline (both read the same conditioned data), so it is not counted as
    /// missed; report.json says how many glitches that left out (glitches_not_scanned), so a hole made by a fault
    /// rather than a gap shows.
    /// </summary>
    public List<TransientEvent> Scanned(List<TransientEvent> events, IReadOnlyList<WindowScore> scanned)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(scanned);
        var starts = scanned.Select(x => x.Start).Order().ToArray();
        double w = detector.Spec.WindowSeconds;
        return events.Where(e =>
        {
            double t = e.PeakTime.ToDouble();
            int i = Array.BinarySearch(starts, t);
            int at = i >= 0 ? i : ~i - 1;   // the latest window start at or before t
            return at >= 0 && t <= starts[at] + w;
        }).ToList();
    }

    /// <summary><see cref="Scanned"/>, and how many glitches it left out.</summary>
    public (List<TransientEvent> Events, int GlitchesNotScanned) Scanned(Scenario s, double seconds, List<(long Start, long End)> unready, IReadOnlyList<WindowScore> scanned)
    {
        var ready = Truth(s, seconds, unready);
        var events = Scanned(ready, scanned);
        return (events, ready.Count(e => e.Kind == "glitch") - events.Count(e => e.Kind == "glitch"));
    }

    /// <summary>The trigger nearest the event's peak within max(0.5 s, its duration).</summary>
    private static T? Match<T>(List<T> triggers, TransientEvent e, Func<T, double> time) where T : class
    {
        double t = e.PeakTime.ToDouble(), tol = Math.Max(0.5, e.Duration);
        T? best = null;
        double bestD = double.MaxValue;
        foreach (var x in triggers)
        {
            double d = Math.Abs(time(x) - t);
            if (d <= tol && d < bestD) { best = x; bestD = d; }
        }
        return best;
    }

    private static JsonObject Section(List<Outcome> glitches, Func<Outcome, double?> found, double threshold, double far)
    {
        var bins = SnrBins(glitches, (inBin, bin) =>
        {
            int foundInBin = inBin.Count(o => found(o) is not null);
            bin["efficiency"] = inBin.Count > 0 ? Math.Round(foundInBin / (double)inBin.Count, 4) : null;
            bin["efficiency_interval"] = inBin.Count > 0 ? Interval(foundInBin, inBin.Count) : null;
        });
        var errors = glitches.Where(o => found(o) is not null).Select(o => Math.Abs(found(o)!.Value - o.Event.PeakTime.ToDouble()) * 1000).Order().ToList();
        return new JsonObject
        {
            ["threshold"] = Math.Round(threshold, 6),
            ["far_per_hour"] = double.IsFinite(far) ? Math.Round(far, 4) : null,
            ["efficiency_by_snr"] = bins,
            ["timing_error_ms_median"] = errors.Count > 0 ? Math.Round(errors[errors.Count / 2], 2) : null,
        };
    }

    /// <summary>The glitches binned by SNR (<see cref="SnrEdges"/>, the last bin open): each bin's snr_min, snr_max and n, then what <paramref name="fill"/> adds.</summary>
    private static JsonArray SnrBins(List<Outcome> glitches, Action<List<Outcome>, JsonObject> fill)
    {
        var bins = new JsonArray();
        for (int i = 0; i < SnrEdges.Length; i++)
        {
            double lo = SnrEdges[i], hi = i + 1 < SnrEdges.Length ? SnrEdges[i + 1] : double.PositiveInfinity;
            var inBin = glitches.Where(o => o.Event.Snr >= lo && o.Event.Snr < hi).ToList();
            var bin = new JsonObject { ["snr_min"] = lo, ["snr_max"] = double.IsFinite(hi) ? hi : null, ["n"] = inBin.Count };
            fill(inBin, bin);
            bins.Add(bin);
        }
        return bins;
    }

    /// <summary>Per SNR bin, the mean chance that an ideal matched search (<see cref="IdealSearch"/>) at the same FAR finds the bin's glitches: the physical limit beside the pipelines.</summary>
    private static JsonObject IdealSection(List<Outcome> glitches, double farPerHour)
    {
        var bins = SnrBins(glitches, (inBin, bin) =>
            bin["efficiency"] = inBin.Count > 0 ? Math.Round(inBin.Average(o => IdealSearch.Efficiency(o.Event.Class, o.Event.Snr, farPerHour)), 4) : null);
        return new JsonObject
        {
            ["note"] = $"a matched filter with {IdealSearch.Templates("Blip")} exact templates per family ({IdealSearch.Templates("Scattered_Light")} for scattered-light arches) in Gaussian noise at the same false-alarm rate: an upper bound, not a pipeline",
            ["efficiency_by_snr"] = bins,
        };
    }

    /// <summary>
    /// The 68 % Wilson score interval (z = 1) of an efficiency of <paramref name="found"/> in <paramref name="n"/>: a
    /// bin of a few glitches says little, and the interval says how little (it stays inside [0, 1] and is sensible
    /// at 0 and n found, where the normal approximation collapses to a point).
    /// </summary>
    public static (double Low, double High) WilsonInterval(int found, int n, double z = 1)
    {
        if (n <= 0 || found < 0 || found > n) throw new ArgumentOutOfRangeException(nameof(n), "need 0 <= found <= n, n > 0");
        double p = (double)found / n, z2n = z * z / n;
        double centre = (p + z2n / 2) / (1 + z2n), half = z * Math.Sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static JsonArray Interval(int found, int n)
    {
        var (lo, hi) = WilsonInterval(found, n);
        return [Math.Round(lo, 4), Math.Round(hi, 4)];
    }

    /// <summary>Model ROC: for a ladder of thresholds, FAR on the background against efficiency for glitches of SNR >= 5.</summary>
    private JsonArray Roc(List<WindowScore> background, List<WindowScore> foreground, List<TransientEvent> truth, double hours)
    {
        var roc = new JsonArray();
        var target = truth.Where(e => e.Kind == "glitch" && e.Snr >= 5).ToList();
        foreach (var th in new[] { 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999 })
        {
            var fg = Pipeline.ModelTriggers(foreground, th);
            double far = Pipeline.ModelTriggers(background, th).Count / hours;
            double eff = target.Count > 0 ? target.Count(e => Match(fg, e, t => t.Time) is not null) / (double)target.Count : double.NaN;
            roc.Add(new JsonObject { ["threshold"] = th, ["far_per_hour"] = Math.Round(far, 4), ["efficiency_snr_ge_5"] = double.IsFinite(eff) ? Math.Round(eff, 4) : null });
        }
        return roc;
    }
}
