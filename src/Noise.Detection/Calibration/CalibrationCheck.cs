using Noise.Core;
using Noise.Simulation;

namespace Noise.Detection.Calibration;

/// <summary>One comparison of the calibrated twin with the real data: what was measured on each, the limit, and whether it holds (null: not enough data to tell).</summary>
public sealed record CheckRow(string Name, string Real, string Twin, string Limit, bool? Pass, string Note = "");

/// <summary>
/// The calibration check: the calibrated scenario is simulated over the same GPS spans as the real pieces, and both
/// are measured by <see cref="StrainMeasurement"/> and compared: ASD within 10 % (median over 20-2000 Hz), at least
/// 90 % of the real lines above 5x the floor found again within 0.1 Hz, the Rayleigh statistic within 20 % in every
/// band, and Q-transform trigger rates above SNR 6 within a factor of 2 where the real data hold at least 10.
/// </summary>
public static class CalibrationCheck
{
    public const double AsdTolerance = 0.10, LineShare = 0.90, LineTolerance = 0.1, RayleighTolerance = 0.20, RateFactor = 2;
    public const int MinTriggersToCount = 10;

    /// <summary>The twin's pieces: the scenario over each real piece's span (every component), at the real rate.</summary>
    public static List<StrainPiece> Simulate(Scenario scenario, IReadOnlyList<StrainPiece> real, int threads)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(real);
        using var device = ComputeDevice.Create(DeviceChoice.Cpu, threads);
        using var engine = new NoiseEngine(device, scenario, 64, SignalComponents.Noise | SignalComponents.Lines | SignalComponents.Glitches | SignalComponents.Injections);
        var pieces = new List<StrainPiece>();
        foreach (var p in real)
        {
            int fs = scenario.SampleRate;
            long first = (long)Math.Round(p.GpsStart * fs), n = p.Data.Length;
            var x = new double[n];
            engine.Generate(first, n, (span, at) => { for (int i = 0; i < span.Length; i++) x[at - first + i] = span[i]; });
            pieces.Add(new StrainPiece("twin of " + Path.GetFileName(p.Name), fs, (double)first / fs, x));
        }
        return pieces;
    }

    public static List<CheckRow> Compare(Measurement real, Measurement twin, double lineFactor)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(twin);
        var rows = new List<CheckRow>();
        // the ASDs compared band by band (mean PSD over max(1 Hz, 2 % of f)): bin by bin, two independent median
        // estimates of a few segments differ by ~25 % on their own, which would hide any real disagreement
        var dev = new List<double>();
        for (double f = 20; f < 2000; f += Math.Max(1, 0.02 * f))
        {
            double hi = f + Math.Max(1, 0.02 * f), r = MeanPsd(real.Psd, f, hi), t = MeanPsd(twin.Psd, f, hi);
            if (r > 0 && t > 0) dev.Add(Math.Abs(Math.Sqrt(t / r) - 1));
        }
        dev.Sort();
        double med = dev.Count > 0 ? dev[dev.Count / 2] : double.NaN;
        rows.Add(new CheckRow("ASD, median |twin/real - 1| over 20-2000 Hz (bands of 2 % or 1 Hz)", "-", $"{100 * med:F1} %", $"<= {100 * AsdTolerance:F0} %", med <= AsdTolerance));

        // a real line is found again where the twin's PSD within the tolerance stands at least half the line
        // threshold above the twin's floor: the twin is asked whether the line is there, not whether the same noise
        // fluctuation pushed it over the threshold again
        var strong = real.Lines.Where(l => l.PeakOverFloor >= lineFactor).ToList();
        bool Found(MeasuredLine l)
        {
            double df = twin.Psd.DeltaF;
            int a = Math.Max(1, (int)Math.Ceiling((l.Frequency - LineTolerance) / df)), b = Math.Min(twin.Psd.Length - 1, (int)Math.Floor((l.Frequency + LineTolerance) / df));
            for (int k = a; k <= b; k++) if (twin.Psd.Values[k] >= lineFactor / 2 * twin.Floor.Values[k]) return true;
            return false;
        }
        int found = strong.Count(Found);
        var missed = strong.Where(l => !Found(l)).Take(8).Select(l => $"{l.Frequency:F2}");
        rows.Add(new CheckRow($"lines above {lineFactor}x the floor found again within {LineTolerance} Hz", $"{strong.Count} lines", $"{found} found ({twin.Lines.Count} above {lineFactor}x in the twin)",
            $">= {100 * LineShare:F0} %", strong.Count == 0 ? null : found >= LineShare * strong.Count, found < strong.Count ? "missed: " + string.Join(", ", missed) + (strong.Count - found > 8 ? ", ..." : "") : ""));

        foreach (var b in real.Bands)
        {
            var t = twin.Bands.FirstOrDefault(x => Math.Abs(x.Lo - b.Lo) < 1e-6 && Math.Abs(x.Hi - b.Hi) < 1e-6);
            double ratio = t is null ? double.NaN : t.Rayleigh / b.Rayleigh;
            rows.Add(new CheckRow($"Rayleigh statistic {b.Lo:F0}-{b.Hi:F0} Hz", $"{b.Rayleigh:F3}", t is null ? "-" : $"{t.Rayleigh:F3}", $"within {100 * RayleighTolerance:F0} %",
                t is null ? false : Math.Abs(ratio - 1) <= RayleighTolerance));
        }

        double realRate = real.Triggers.Count / (real.TriggerLiveSeconds / 3600), twinRate = twin.Triggers.Count / (twin.TriggerLiveSeconds / 3600);
        bool enough = real.Triggers.Count >= MinTriggersToCount;
        rows.Add(new CheckRow("Q-transform triggers above SNR 6 per hour", $"{realRate:F0} ({real.Triggers.Count} in {real.TriggerLiveSeconds:F0} s)", $"{twinRate:F0} ({twin.Triggers.Count})",
            $"within a factor {RateFactor}", enough ? twinRate <= RateFactor * realRate && twinRate >= realRate / RateFactor : null,
            enough ? "" : $"too few real triggers to count a rate (fewer than {MinTriggersToCount})"));
        return rows;
    }

    private static double MeanPsd(FrequencySeries psd, double lo, double hi)
    {
        double sum = 0;
        int n = 0;
        for (int k = Math.Max(1, (int)Math.Ceiling(lo / psd.DeltaF)); k < psd.Length && k * psd.DeltaF < hi; k++) { sum += psd.Values[k]; n++; }
        return n > 0 ? sum / n : double.NaN;
    }
}
