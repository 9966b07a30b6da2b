using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Noise.Core;

namespace Noise.Detection.Calibration;

/// <summary>A real strain file that a calibration read, for its calibrated_from record.</summary>
public sealed record CalibrationSource(string Path, string Channel, double SampleRate, double GpsStart, double Duration, string Sha256)
{
    public static string Sha256Of(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}

/// <summary>The glitch rate a calibration estimates for one family from the Q-transform triggers it counted.</summary>
public sealed record FamilyRate(string Family, int Triggers, double RatePerHour, double Low, double High, double MaxSnr, double MinFrequency, double MaxFrequency);

/// <summary>
/// Turns a <see cref="Measurement"/> of real strain into a scenario that reproduces it: the floor as the noise curve
/// (lines removed), each line as a line family, the bands whose power varies beyond Gaussian scatter as breathing,
/// and the transient population as glitch rates of the closest families, with a calibrated_from record.
/// </summary>
public static class Calibrator
{
    /// <summary>
    /// The closest twin family of a Q-transform trigger, by its peak frequency and duration (an estimate: a Q tile
    /// says little about a glitch's shape): below 30 Hz long ones are scattered light and short ones low-frequency
    /// bursts, 30-60 Hz Tomtes, 60-300 Hz Blips (Extremely_Loud above SNR 200), 300-1500 Hz Whistles, above that
    /// Blips (short broadband bursts are what reach there).
    /// </summary>
    public static string FamilyOf(QTrigger t)
    {
        ArgumentNullException.ThrowIfNull(t);
        double f = t.Frequency, d = t.TEnd - t.TStart;
        if (f < 30) return d > 1 ? "Scattered_Light" : "Low_Frequency_Burst";
        if (f < 60) return "Tomte";
        if (f < 300) return t.Snr > 200 ? "Extremely_Loud" : "Blip";
        if (f < 1500) return "Whistle";
        return "Blip";
    }

    /// <summary>Glitch rates per family with 68 % Poisson intervals (Gehrels 1986's approximations).</summary>
    public static List<FamilyRate> Rates(Measurement m)
    {
        ArgumentNullException.ThrowIfNull(m);
        double hours = m.TriggerLiveSeconds / 3600;
        return m.Triggers.GroupBy(FamilyOf).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            int n = g.Count();
            double hi = n + Math.Sqrt(n + 0.75) + 1, lo = n == 0 ? 0 : n - Math.Sqrt(n - 0.25);
            return new FamilyRate(g.Key, n, n / hours, lo / hours, hi / hours, g.Max(t => t.Snr), g.Min(t => t.Frequency), g.Max(t => t.Frequency));
        }).ToList();
    }

    /// <summary>Breathing bands: those whose band power varies beyond Gaussian scatter, at most four, the largest first.</summary>
    public static List<BreathingSpec> Breathing(Measurement m, double period)
    {
        ArgumentNullException.ThrowIfNull(m);
        // a gain 1 + d sin(...) on the ASD makes the band power vary by about sqrt(2) d (std/mean)
        return m.Bands.Select(b => (b, depth: Math.Sqrt(Math.Max(0, b.RmsVariation * b.RmsVariation - b.GaussianRmsVariation * b.GaussianRmsVariation) / 2)))
            .Where(x => x.depth >= 0.02).OrderByDescending(x => x.depth).Take(BreathingSpec.MaxBands)
            .Select(x => new BreathingSpec { Name = $"band_{x.b.Lo:F0}_{x.b.Hi:F0}Hz", Band = new ParamRange(x.b.Lo, x.b.Hi), Depth = Math.Min(0.9, Math.Round(x.depth, 4)), Period = period })
            .ToList();
    }

    /// <summary>Writes SCENARIO.yaml and its curve file (NAME_asd.txt beside it), each atomically.</summary>
    public static (string Yaml, string Curve) Write(string yamlPath, string name, string channel, Measurement m, MeasurementSettings settings,
        IReadOnlyList<CalibrationSource> sources, string software)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(settings);
        double fs = sources[0].SampleRate;
        var dir = Path.GetDirectoryName(Path.GetFullPath(yamlPath))!;
        var curveName = Path.GetFileNameWithoutExtension(yamlPath) + "_asd.txt";
        var curvePath = Path.Combine(dir, curveName);
        var ci = CultureInfo.InvariantCulture;

        // the floor on every bin up to 100 Hz, log-spaced above (the engine interpolates log-log between points)
        var curve = new StringBuilder($"# ASD (1/sqrt(Hz)) of {string.Join(", ", sources.Select(s => Path.GetFileName(s.Path)))}: median Welch ({m.SegmentSeconds} s Hann segments, {m.Segments} of them), lines removed (running median of the PSD, lines left out); written by {software}\n");
        var floor = m.Floor;
        int last = floor.Length - 1;
        double prevF = -1;
        for (int k = 1; k <= last; k++)
        {
            double f = floor.FrequencyAt(k);
            if (f > 100 && k != last && f < prevF * 1.002) continue;
            curve.Append(string.Create(ci, $"{f:R} {Math.Sqrt(floor.Values[k]):R}\n"));
            prevF = f;
        }

        var rates = Rates(m);
        double period = Math.Max(64, 2 * sources.Max(s => s.Duration));
        var breathing = Breathing(m, period);
        var y = new StringBuilder();
        y.Append(string.Create(ci, $"# Calibrated from real strain by {software} on {DateTime.UtcNow:yyyy-MM-dd}: {sources.Count} file(s), {sources.Sum(s => s.Duration):F0} s.\n"));
        y.Append("# The curve is the data's median Welch ASD without its lines; each line found above the floor is a line family;\n");
        y.Append("# bands whose power varied beyond Gaussian scatter breathe; glitch rates are Q-transform triggers above SNR\n");
        y.Append(string.Create(ci, $"# {settings.TriggerSnr} per closest family (an estimate; 68 % intervals in the comments). `noise calibrate --check` compares.\n"));
        y.Append($"name: {name}\n");
        y.Append($"description: \"calibrated from {string.Join(", ", sources.Select(s => Path.GetFileName(s.Path)))}\"\n");
        y.Append($"channel: {channel}\n");
        y.Append(string.Create(ci, $"sample_rate: {fs:R}\n"));
        y.Append(string.Create(ci, $"gps_start: {Math.Floor(sources[0].GpsStart):R}\n"));
        y.Append("seed: 1\n");
        y.Append($"psd: {{ file: {curveName}, kind: asd, source: \"median Welch ASD of the calibration files, lines removed\" }}\n");
        y.Append(string.Create(ci, $"f_low: {settings.FLow:R}\n"));
        if (m.Lines.Count > 0)
        {
            y.Append(string.Create(ci, $"# {m.Lines.Count} lines above {settings.LineFactor}x the floor: frequency (Hz), peak strain amplitude; wander measured between {m.SegmentSeconds} s segments\nlines:\n"));
            foreach (var l in m.Lines)
                y.Append(string.Create(ci, $"  - {{ name: line_{l.Frequency:F3}Hz, frequency: {Math.Round(l.Frequency, 4):R}, amplitude: {l.Amplitude:E4}, frequency_wander: {Math.Round(l.FrequencyWander, 4):R}, amplitude_wander: {Math.Round(l.AmplitudeWander, 3):R} }}   # width {l.Width:F3} Hz, {l.PeakOverFloor:F0}x the floor\n"));
        }
        if (breathing.Count > 0)
        {
            y.Append(string.Create(ci, $"# band-power variation between segments beyond Gaussian scatter (the period is not measured in data this short: {period:F0} s)\nbreathing:\n"));
            foreach (var b in breathing)
                y.Append(string.Create(ci, $"  - {{ name: {b.Name}, band: [{b.Band.Min:R}, {b.Band.Max:R}], depth: {b.Depth:R}, period: {b.Period:R} }}\n"));
        }
        if (rates.Count > 0)
        {
            y.Append(string.Create(ci, $"# from {m.Triggers.Count} Q-transform triggers above SNR {settings.TriggerSnr} in {m.TriggerLiveSeconds:F0} s away from catalogued GW events\nglitches:\n"));
            foreach (var r in rates)
            {
                // the family's frequencies where its triggers were (10 % wider), not its defaults: a Virgo "Blip" at 3.6 kHz stays there
                double fLo = Math.Max(settings.FLow * 1.05, Math.Round(0.9 * r.MinFrequency, 1)), fHi = Math.Min(0.45 * fs, Math.Round(1.1 * r.MaxFrequency, 1));
                if (fHi <= fLo) fHi = Math.Min(0.45 * fs, 2 * fLo);
                y.Append(string.Create(ci, $"  {r.Family}: {{ rate_per_hour: {Math.Round(r.RatePerHour, 3):R}, snr: [{settings.TriggerSnr:R}, {Math.Max(2 * settings.TriggerSnr, Math.Ceiling(r.MaxSnr)):R}], frequency: [{fLo:R}, {fHi:R}] }}   # {r.Triggers} trigger(s): 68 % interval {r.Low:F1}-{r.High:F1} per hour\n"));
            }
        }
        y.Append("calibrated_from:\n");
        y.Append($"  software: \"{software}\"\n");
        y.Append("  files:\n");
        foreach (var s in sources)
            y.Append(string.Create(ci, $"    - {{ path: \"{Path.GetFileName(s.Path)}\", channel: \"{s.Channel}\", gps_start: {s.GpsStart:R}, duration: {s.Duration:R}, sample_rate: {s.SampleRate:R}, sha256: {s.Sha256} }}\n"));
        y.Append("  measured:\n");
        y.Append(string.Create(ci, $"    segments: {m.Segments}\n    segment_seconds: {m.SegmentSeconds:R}\n    trigger_live_seconds: {Math.Round(m.TriggerLiveSeconds, 2):R}\n    triggers: {m.Triggers.Count}\n"));
        y.Append("    bands:\n");
        foreach (var b in m.Bands)
            y.Append(string.Create(ci, $"      - {{ band: [{b.Lo:R}, {b.Hi:R}], rayleigh: {Math.Round(b.Rayleigh, 4):R}, rms_variation: {Math.Round(b.RmsVariation, 4):R}, gaussian_rms_variation: {Math.Round(b.GaussianRmsVariation, 4):R} }}\n"));
        AtomicFile.WriteAllText(curvePath, curve.ToString());
        AtomicFile.WriteAllText(yamlPath, y.ToString());
        return (yamlPath, curvePath);
    }
}
