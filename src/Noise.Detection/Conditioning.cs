using System.Numerics;
using NWaves.Transforms;
using Noise.Core;

namespace Noise.Detection;

/// <summary>How strain is conditioned before any detector looks at it (recorded with every model and report).</summary>
public sealed record ConditioningSettings
{
    /// <summary>Band kept after whitening (Hz); FHigh 0 means 0.9 x Nyquist.</summary>
    public double FLow { get; init; } = 20;
    public double FHigh { get; init; }
    /// <summary>Welch segment length in seconds (Hann windows, 50 % overlap, median average).</summary>
    public double PsdSegmentSeconds { get; init; } = 4;
    /// <summary>Samples this close to a gap, or to the ends (at least the taper), are unusable after whitening (NaN).</summary>
    public double EdgeSeconds { get; init; } = 2;
    /// <summary>Tukey taper fraction applied before the FFT (FIELD_NOTES §1: the taper matters).</summary>
    public double Taper { get; init; } = 0.125;

    public double HighFor(double fs) => FHigh > 0 ? Math.Min(FHigh, fs / 2) : 0.9 * fs / 2;
}

/// <summary>
/// The one conditioning implementation for training, evaluation, the baseline and streaming: a median Welch PSD
/// over the usable stretches, whitening x_w = irfft(rfft(w x) sqrt(2 / (fs S(f)))) restricted to [FLow, FHigh]
/// and rescaled by the kept band's share of [0, fs/2], so stationary Gaussian noise comes out N(0, 1).
/// Unusable samples (non-finite, or exact zeros: the twin's and GWOSC's "no data") and everything within
/// EdgeSeconds of them or of the ends come out as NaN, so nothing downstream triggers on a gap.
/// </summary>
public static class Conditioning
{
    /// <summary>True for samples that hold data.</summary>
    public static bool[] UsableMask(ReadOnlySpan<double> x)
    {
        var ok = new bool[x.Length];
        for (int i = 0; i < x.Length; i++) ok[i] = double.IsFinite(x[i]) && x[i] != 0;
        return ok;
    }

    /// <summary>Median Welch PSD over the segments that hold data only.</summary>
    public static FrequencySeries EstimatePsd(ReadOnlySpan<double> x, double fs, ConditioningSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int nper = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, (int)(settings.PsdSegmentSeconds * fs)));
        var ok = UsableMask(x);
        var prefix = new int[x.Length + 1];
        for (int i = 0; i < x.Length; i++) prefix[i + 1] = prefix[i] + (ok[i] ? 0 : 1);
        return Welch.Estimate(x, fs, nper, WelchAverage.Median, (start, length) => prefix[start + length] - prefix[start] == 0);
    }

    /// <summary>Whitened, band-limited series of the same length as x, NaN where unusable.</summary>
    public static double[] Whiten(ReadOnlySpan<double> x, double fs, FrequencySeries psd, ConditioningSettings settings)
    {
        var spec = WhitenedSpectrum(x, fs, psd, settings, out var usable);
        int nfft = 2 * (spec.Length - 1);
        var re = new double[spec.Length];
        var im = new double[spec.Length];
        for (int k = 0; k < spec.Length; k++) { re[k] = spec[k].Real; im[k] = spec[k].Imaginary; }
        var y = new double[nfft];
        new RealFft64(nfft).Inverse(re, im, y);
        var w = new double[x.Length];
        for (int i = 0; i < x.Length; i++) w[i] = usable[i] ? y[i] / nfft : double.NaN;
        return w;
    }

    /// <summary>
    /// rfft of the tapered data (zero-padded to a power of two) times sqrt(2 / (fs S)) on [FLow, FHigh], scaled so
    /// its inverse is N(0, 1) noise; <paramref name="usable"/> marks the samples away from gaps and edges.
    /// </summary>
    public static Complex[] WhitenedSpectrum(ReadOnlySpan<double> x, double fs, FrequencySeries psd, ConditioningSettings settings, out bool[] usable)
    {
        ArgumentNullException.ThrowIfNull(psd);
        ArgumentNullException.ThrowIfNull(settings);
        int n = x.Length;
        var ok = UsableMask(x);
        int taper = (int)(settings.Taper / 2 * n);
        // the tapered ends carry less than the full variance: they are unusable too
        usable = Shrink(ok, Math.Max(taper, (int)Math.Round(settings.EdgeSeconds * fs)));
        int nfft = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(n, 16));
        var buf = new double[nfft];
        for (int i = 0; i < n; i++)
        {
            if (!ok[i]) continue;
            double w = 1;
            if (i < taper) w = 0.5 - 0.5 * Math.Cos(Math.PI * i / taper);
            else if (i > n - 1 - taper) w = 0.5 - 0.5 * Math.Cos(Math.PI * (n - 1 - i) / taper);
            buf[i] = x[i] * w;
        }
        var re = new double[nfft / 2 + 1];
        var im = new double[nfft / 2 + 1];
        new RealFft64(nfft).Direct(buf, re, im);
        double fLow = settings.FLow, fHigh = settings.HighFor(fs);
        double band = Math.Sqrt(fs / 2 / (fHigh - fLow));
        var spec = new Complex[nfft / 2 + 1];
        double df = fs / nfft;
        for (int k = 1; k < nfft / 2; k++)
        {
            double f = k * df;
            if (f < fLow || f > fHigh) continue;
            double s = psd.Values[Math.Clamp((int)Math.Round((f - psd.F0) / psd.DeltaF), 0, psd.Length - 1)];
            if (!(s > 0)) continue;
            spec[k] = new Complex(re[k], im[k]) * (Math.Sqrt(2 / (fs * s)) * band);
        }
        return spec;
    }

    /// <summary>Clears every sample within <paramref name="edge"/> of an unusable one or of the ends.</summary>
    private static bool[] Shrink(bool[] ok, int edge)
    {
        int n = ok.Length;
        var r = new bool[n];
        int lastBad = -edge - 1;
        var distLeft = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (!ok[i]) lastBad = i;
            distLeft[i] = Math.Min(i - lastBad, i + 1);
        }
        int nextBad = n + edge + 1;
        for (int i = n - 1; i >= 0; i--)
        {
            if (!ok[i]) nextBad = i;
            int distRight = Math.Min(nextBad - i, n - i);
            r[i] = ok[i] && distLeft[i] > edge && distRight > edge;
        }
        return r;
    }
}
