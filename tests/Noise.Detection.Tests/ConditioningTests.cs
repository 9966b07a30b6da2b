using Noise.Core;
using Noise.Simulation;

namespace Noise.Detection.Tests;

public class ConditioningTests
{
    /// <summary>
    /// A scenario's noise alone (no lines, glitches, lock losses or disturbances). The measured O3 curve has narrow
    /// peaks (violin modes near 447 Hz) that the segment-wise colouring re-draws every 15.5 s; in a Q-transform they
    /// show as short tiles at the segment joins (SNR up to ~18 at 447 Hz), so the baseline's false-trigger check
    /// uses the smooth design curve. Whitened O3 noise is still N(0,1) overall (the first two tests).
    /// </summary>
    private static (double[] X, Scenario S) TwinNoise(double seconds, long seed = 5, string config = "virgo-o3.yaml") =>
        Noise.TestSupport.TwinNoise.Generate(seconds, seed, config);

    private static (double Std, double Kurtosis, int N) Moments(double[] w)
    {
        var v = w.Where(double.IsFinite).ToArray();
        double m = v.Average(), s2 = v.Select(a => (a - m) * (a - m)).Average(), s4 = v.Select(a => Math.Pow(a - m, 4)).Average();
        return (Math.Sqrt(s2), s4 / (s2 * s2), v.Length);
    }

    [Fact]
    public void WhitenedTwinNoiseIsStandardNormal()
    {
        var (x, s) = TwinNoise(128);
        var settings = new ConditioningSettings();
        var psd = Conditioning.EstimatePsd(x, s.SampleRate, settings);
        var w = Conditioning.Whiten(x, s.SampleRate, psd, settings);
        var (std, kurt, n) = Moments(w);
        Assert.True(n >= 110 * s.SampleRate, $"{n} usable samples (128 s less the 8 s tapers)");
        Assert.InRange(std, 0.98, 1.02);
        Assert.InRange(kurt, 2.95, 3.05);
        // the edges are unusable, the middle is not
        Assert.True(double.IsNaN(w[10]) && double.IsNaN(w[^10]) && double.IsFinite(w[w.Length / 2]));
    }

    [Fact]
    public void WhitenedTwinNoiseIsStandardNormalInTheModelsBandAndRate()
    {
        // what a model from this version reads: 11-900 Hz, at 2048 Hz, from 16384 Hz strain with the seismic wall
        var (x, s) = TwinNoise(128, seed: 9);
        var spec = new Noise.Detection.Model.DetectorSpec();
        var w = Noise.Detection.Model.Conditioner.Condition(x, s.SampleRate, spec);
        var (std, kurt, n) = Moments(w);
        Assert.True(n >= 110 * spec.SampleRate, $"{n} usable samples");
        Assert.InRange(std, 0.97, 1.03);
        Assert.InRange(kurt, 2.9, 3.1);
    }

    [Fact]
    public void NotchesTakeLinesAndLeaveTheSeismicWall()
    {
        // a wall falling as f^-10 from 11 Hz onto a flat floor, one strong line at 60 Hz
        double df = 0.25;
        var values = new double[4097];
        for (int k = 0; k < values.Length; k++)
        {
            double f = Math.Max(k * df, 1);
            values[k] = 1 + Math.Pow(f / 11, -10) * 1e6;
        }
        values[(int)(60 / df)] *= 1e4;
        var psd = new FrequencySeries(0, df, values);
        var settings = new ConditioningSettings { FLow = 11, FHigh = 900 };
        var notched = Conditioning.Notches(psd, settings);
        var at = Enumerable.Range(0, values.Length).Where(k => notched[k]).Select(k => k * df).ToList();
        Assert.Contains(60.0, at);
        Assert.All(at, f => Assert.InRange(f, 60 - settings.NotchWiden, 60 + settings.NotchWiden));
    }

    [Fact]
    public void TheFineNotchTakesAForestThatTheBroadNotchLeaves()
    {
        // a flat floor with one strong line (10^4 x) and a forest of 12 lines at 20 x, 3 Hz apart, around 400 Hz
        double df = 0.25;
        var values = Enumerable.Repeat(1.0, 4097).ToArray();
        values[(int)(60 / df)] = 1e4;
        var forest = Enumerable.Range(0, 12).Select(i => 383.0 + 3 * i).ToArray();
        foreach (var f in forest) values[(int)(f / df)] = 20;
        var psd = new FrequencySeries(0, df, values);
        var broad = new ConditioningSettings { FLow = 11, FHigh = 900 };
        var both = broad with { FineNotchFactor = 10 };
        var a = Conditioning.Notches(psd, broad);
        var b = Conditioning.Notches(psd, both);
        Assert.True(a[(int)(60 / df)] && b[(int)(60 / df)], "the strong line is notched either way");
        Assert.All(forest, f => Assert.False(a[(int)(f / df)], $"{f} Hz: 20 x is below the broad notch's 100 x"));
        Assert.All(forest, f => Assert.True(b[(int)(f / df)], $"{f} Hz: the fine notch takes it"));
        // each forest line with its 1 Hz margin and nothing else: 9 bins a line, the floor between lines kept
        int fine = Enumerable.Range((int)(100 / df), (int)(800 / df)).Count(k => b[k]);
        Assert.Equal(12 * 9, fine);
        Assert.False(b[(int)(384.5 / df)]);
        // a model recorded without the key keeps the broad notch alone
        var read = System.Text.Json.JsonSerializer.Deserialize<ConditioningSettings>("""{"f_low": 11, "f_high": 900, "notch_factor": 100}""", Noise.Detection.Model.ModelStore.Json);
        Assert.Equal(0, read!.FineNotchFactor);
    }

    [Fact]
    public void GapsAreLeftOutOfThePsdAndComeOutAsNaN()
    {
        var (x, s) = TwinNoise(128);
        int fs = s.SampleRate;
        Array.Clear(x, 40 * fs, 20 * fs);            // a lock loss: 20 s of zeros
        x[90 * fs] = double.NaN;                     // a bad sample
        var settings = new ConditioningSettings();
        var psd = Conditioning.EstimatePsd(x, fs, settings);
        var w = Conditioning.Whiten(x, fs, psd, settings);
        Assert.True(double.IsNaN(w[50 * fs]) && double.IsNaN(w[40 * fs - fs]) && double.IsNaN(w[90 * fs + fs]));
        var (std, kurt, _) = Moments(w);
        Assert.InRange(std, 0.97, 1.03);
        Assert.InRange(kurt, 2.9, 3.1);
    }

    /// <summary>
    /// Float32 strain crosses zero exactly now and then (about once in 1000 s; the twin's O4 noise did in a 256 s stretch): a lone zero is data,
    /// not a gap. Taken for one, it cost 32 s of a 256 s chunk and hid a Koi_Fish of SNR 196 from both pipelines.
    /// </summary>
    [Fact]
    public void ALoneExactZeroIsDataAndARunOfZerosIsAGap()
    {
        var (x, s) = TwinNoise(128);
        int fs = s.SampleRate;
        x[60 * fs] = 0;
        x[61 * fs] = x[61 * fs + 1] = 0;
        var settings = new ConditioningSettings();
        var w = Conditioning.Whiten(x, fs, Conditioning.EstimatePsd(x, fs, settings), settings);
        Assert.True(w.Skip(40 * fs).Take(48 * fs).All(double.IsFinite), "samples near lone zeros came out NaN");

        var mask = Conditioning.UsableMask([1.0, 0, 2, 0, 0, 3]);
        Assert.Equal([true, true, true, true, true, true], mask);
        // a run as long as MinZeroRun is a gap; so is a zero at either end, which may go on beyond the piece
        var run = Enumerable.Repeat(1.0, 40).ToArray();
        Array.Clear(run, 10, Conditioning.MinZeroRun);
        run[0] = 0;
        mask = Conditioning.UsableMask(run);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i != 0 && (i < 10 || i >= 10 + Conditioning.MinZeroRun)), mask);
        Array.Clear(run, 10, Conditioning.MinZeroRun - 1);
        run[10 + Conditioning.MinZeroRun - 1] = 1;
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i != 0), Conditioning.UsableMask(run));
        Assert.False(Conditioning.AllUsable(run));
        run[0] = 1;
        Assert.True(Conditioning.AllUsable(run));
        run[^1] = 0;
        Assert.False(Conditioning.AllUsable(run));
        run[^1] = double.PositiveInfinity;
        Assert.False(Conditioning.AllUsable(run));
    }

    [Fact]
    public void BaselineFindsALoudSineGaussianAtItsTimeAndFrequency()
    {
        var (x, s) = TwinNoise(64, seed: 9, config: "virgo-design.yaml");
        int fs = s.SampleRate;
        double t0 = 30.25, f0 = 180, q = 9, tau = q / (Math.Sqrt(2) * Math.PI * f0);
        var psdTrue = s.LoadPsd();
        // amplitude for an optimal SNR of 20: rho^2 ~ A^2 tau sqrt(pi/2) / S(f0) for a narrow-band sine-Gaussian
        double amp = 20 * Math.Sqrt(psdTrue.At(f0) / (tau * Math.Sqrt(Math.PI / 2)));
        for (int i = 0; i < x.Length; i++)
        {
            double t = (double)i / fs - t0;
            if (Math.Abs(t) < 6 * tau) x[i] += amp * Math.Exp(-(t / tau) * (t / tau)) * Math.Sin(2 * Math.PI * f0 * t);
        }
        var cond = new ConditioningSettings();
        var psd = Conditioning.EstimatePsd(x, fs, cond);
        var triggers = QTriggers.Find(x, fs, 1000, psd, cond, new QTriggerSettings());
        var loudest = triggers.MaxBy(t => t.Snr)!;
        Assert.InRange(loudest.Time, 1000 + t0 - 0.02, 1000 + t0 + 0.02);
        Assert.InRange(loudest.Frequency, f0 / 1.25, f0 * 1.25);
        Assert.InRange(loudest.Snr, 14, 28);
        Assert.True(loudest.TStart <= loudest.Time && loudest.Time <= loudest.TEnd && loudest.FStart < loudest.Frequency && loudest.Frequency < loudest.FEnd);
        // in the rest of the stretch, Gaussian noise gives few triggers above SNR 6
        Assert.True(triggers.Count(t => t.Snr >= 6 && Math.Abs(t.Time - 1000 - t0) > 1) <= 3, string.Join("; ", triggers.Where(t => t.Snr >= 6).Select(t => $"{t.Time:F2} {t.Frequency:F0} Hz SNR {t.Snr:F1}")));
    }
}
