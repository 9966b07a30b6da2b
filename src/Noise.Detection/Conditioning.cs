using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
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
    /// <summary>
    /// Samples this close to a gap, or to the ends (at least the taper), are unusable after whitening (NaN). 6 s:
    /// on real 32 s GWOSC files the whitening filter carries the taper's leakage of the seismic band 4-6 s inwards,
    /// where the baseline found tiles of SNR 10^4 with 2 s.
    /// </summary>
    public double EdgeSeconds { get; init; } = 6;
    /// <summary>Tukey taper fraction applied before the FFT (FIELD_NOTES §1: the taper matters).</summary>
    public double Taper { get; init; } = 0.125;
    /// <summary>
    /// Notch: frequencies where the PSD exceeds this many times its running median over +-NotchHalfWidth Hz (violin
    /// modes, strong lines) are left out of the whitened data, as line-notching pipelines do; 0 turns it off.
    /// </summary>
    public double NotchFactor { get; init; } = 100;
    public double NotchHalfWidth { get; init; } = 32;
    /// <summary>Each notch is widened by this much on both sides (Hz): a peak's leakage reaches beyond it.</summary>
    public double NotchWiden { get; init; } = 10;
    /// <summary>
    /// The fine notch, for a line forest (real Virgo data hold hundreds of lines 5-100x their floor between 300 and
    /// 1000 Hz, some wandering by 0.1-0.3 Hz, which whitening by one PSD leaves as narrow-band bursts): PSD bins
    /// more than FineNotchFactor above their running median over +-FineNotchHalfWidth Hz, widened by FineNotchWiden
    /// Hz on both sides. 0 (the default, and every model recorded without it) turns it off.
    /// </summary>
    public double FineNotchFactor { get; init; }
    public double FineNotchHalfWidth { get; init; } = 2;
    public double FineNotchWiden { get; init; } = 1;

    public double HighFor(double fs) => FHigh > 0 ? Math.Min(FHigh, fs / 2) : 0.9 * fs / 2;
}

/// <summary>
/// The one conditioning implementation for training, evaluation, the baseline and streaming: a median Welch PSD
/// over the usable stretches, whitening x_w = irfft(rfft(w x) sqrt(2 / (fs S(f)))) restricted to [FLow, FHigh]
/// and rescaled by the kept band's share of [0, fs/2], so stationary Gaussian noise comes out N(0, 1).
/// Unusable samples (non-finite, or runs of exact zeros: the twin's and GWOSC's "no data"; see
/// <see cref="UsableMask(ReadOnlySpan{double}, Span{bool})"/>) and everything within EdgeSeconds of them or of the
/// ends come out as NaN, so nothing downstream triggers on a gap.
/// </summary>
public static class Conditioning
{
    /// <summary>
    /// Exact zeros in a row that make a gap. Float32 strain crosses zero exactly about once in 1000 s (the twin's O4
    /// and design noise did; values are quantised at ~6e-8 of their RMS), and taking such a sample for a gap cost 32 s
    /// of analysis (a 256 s chunk's taper on both sides of it) and hid a Koi_Fish of SNR 196 from both pipelines. Two zeros in a row by chance are some
    /// 10^-15 per sample; a gap is seconds of them.
    /// </summary>
    public const int MinZeroRun = 16;

    /// <summary>True for samples that hold data.</summary>
    public static bool[] UsableMask(ReadOnlySpan<double> x)
    {
        var ok = new bool[x.Length];
        UsableMask(x, ok);
        return ok;
    }

    /// <summary>
    /// Marks the samples that hold data: finite, and not in a run of at least <see cref="MinZeroRun"/> exact zeros.
    /// A run of zeros that touches either end of <paramref name="x"/> counts as a gap whatever its length, since it
    /// may go on beyond what this piece shows (a stream reads its data in blocks).
    /// </summary>
    public static void UsableMask(ReadOnlySpan<double> x, Span<bool> ok)
    {
        if (ok.Length < x.Length) throw new ArgumentException("the mask is shorter than the data", nameof(ok));
        int n = x.Length;
        for (int i = 0; i < n;)
        {
            if (x[i] != 0)
            {
                ok[i] = double.IsFinite(x[i]);
                i++;
                continue;
            }
            int j = i;
            while (j < n && x[j] == 0) j++;
            bool gap = j - i >= MinZeroRun || i == 0 || j == n;
            ok[i..j].Fill(!gap);
            i = j;
        }
    }

    /// <summary>Whether every sample of <paramref name="x"/> holds data, by <see cref="UsableMask(ReadOnlySpan{double}, Span{bool})"/>'s rule (the stream's PSD segments).</summary>
    public static bool AllUsable(ReadOnlySpan<double> x)
    {
        var ok = ArrayPool<bool>.Shared.Rent(x.Length);
        try
        {
            UsableMask(x, ok);
            return !ok.AsSpan(0, x.Length).Contains(false);
        }
        finally { ArrayPool<bool>.Shared.Return(ok); }
    }

    /// <summary>Samples per PSD segment: PsdSegmentSeconds at fs, rounded up to a power of two.</summary>
    public static int PsdSegmentLength(double fs, ConditioningSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, (int)(settings.PsdSegmentSeconds * fs)));
    }

    /// <summary>Median Welch PSD over the segments that hold data only.</summary>
    /// <param name="whiteningOnly">Average only the bins whitening reads (<see cref="PsdBinsRead"/>), NaN above: the
    /// median of every bin up to 8 kHz was most of a 16 kHz chunk's PSD, and conditioning reads none above f_high.</param>
    public static FrequencySeries EstimatePsd(ReadOnlySpan<double> x, double fs, ConditioningSettings settings, bool whiteningOnly = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int nper = PsdSegmentLength(fs, settings);
        var ok = UsableMask(x);
        var prefix = new int[x.Length + 1];
        for (int i = 0; i < x.Length; i++) prefix[i + 1] = prefix[i] + (ok[i] ? 0 : 1);
        return Welch.Estimate(x, fs, nper, WelchAverage.Median, (start, length) => prefix[start + length] - prefix[start] == 0,
            whiteningOnly ? PsdBinsRead(fs, nper, settings) : null);
    }

    /// <summary>
    /// How many PSD bins (of segments of <paramref name="nper"/> samples at fs) whitening and the notch search read:
    /// up to f_high and a notch half-width beyond. The block conditioning and the stream's running PSD average no more.
    /// </summary>
    public static int PsdBinsRead(double fs, int nper, ConditioningSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return (int)Math.Min(nper / 2 + 1, Math.Ceiling((settings.HighFor(fs) + settings.NotchHalfWidth + 1) * nper / fs) + 1);
    }

    /// <summary>
    /// Whitened, band-limited series, NaN where unusable, at <paramref name="outputRate"/> (default: the input's;
    /// otherwise fs / outputRate must be a power of two and FHigh below outputRate / 2): the band-limited
    /// whitened spectrum is inverse-transformed on the coarser grid, so resampling adds nothing of its own.
    /// </summary>
    /// <param name="notched">The PSD bins to notch, where the caller has them already (default: <see cref="Notches"/> of this PSD).</param>
    public static double[] Whiten(ReadOnlySpan<double> x, double fs, FrequencySeries psd, ConditioningSettings settings, int outputRate = 0, bool[]? notched = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int factor = 1;
        if (outputRate > 0 && outputRate != (int)fs)
        {
            double ratio = fs / outputRate;
            factor = (int)Math.Round(ratio);
            if (Math.Abs(ratio - factor) > 1e-9 || factor < 1 || (factor & (factor - 1)) != 0)
                throw new NoiseInputException($"conditioning: data at {fs} Hz cannot be brought to {outputRate} Hz (the ratio must be a power of two; the model needs at least {outputRate} Hz)");
            if (settings.HighFor(fs) >= outputRate / 2.0)
                throw new NoiseInputException($"conditioning: f_high {settings.HighFor(fs)} Hz must lie below {outputRate / 2.0} Hz");
        }
        var spec = WhitenedSpectrum(x, fs, psd, settings, out var usable, notched);
        int nfft = 2 * (spec.Length - 1), nOut = nfft / factor;
        // the bins up to the coarse grid's Nyquist (zero there: FHigh lies below it), as interleaved (re, im)
        var bins = MemoryMarshal.Cast<Complex, double>(spec.AsSpan(0, nOut / 2 + 1)).ToArray();
        bins[nOut] = bins[nOut + 1] = 0;
        var y = new double[nOut];
        RealFft<double>.ForThread(nOut).Inverse(bins, y);
        // irfft normalisation of the full transform: the band-limited signal sampled on the coarser grid
        var w = new double[x.Length / factor];
        for (int i = 0; i < w.Length; i++) w[i] = usable[i * factor] ? y[i] / nfft : double.NaN;
        return w;
    }

    /// <summary>
    /// rfft of the tapered data (zero-padded to a power of two) times sqrt(2 / (fs S)) on [FLow, FHigh], scaled so
    /// its inverse is N(0, 1) noise; <paramref name="usable"/> marks the samples away from gaps and edges.
    /// </summary>
    public static Complex[] WhitenedSpectrum(ReadOnlySpan<double> x, double fs, FrequencySeries psd, ConditioningSettings settings, out bool[] usable, bool[]? notched = null)
    {
        ArgumentNullException.ThrowIfNull(psd);
        ArgumentNullException.ThrowIfNull(settings);
        int n = x.Length;
        var ok = UsableMask(x);
        int taper = (int)(settings.Taper / 2 * n);
        // every stretch of data (the whole input, or the runs between gaps) is tapered at both of its ends, so a
        // gap's edge leaks no more than the input's own ends; the tapered parts carry less than the full variance
        // and are unusable, as is everything within EdgeSeconds of a gap or an end
        var distance = DistanceToGap(ok);
        int unusable = Math.Max(taper, (int)Math.Round(settings.EdgeSeconds * fs));
        usable = new bool[n];
        int nfft = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(n, 16));
        var buf = new double[nfft];
        for (int i = 0; i < n; i++)
        {
            int d = distance[i];
            if (d == 0) continue;
            usable[i] = d > unusable;
            double w = d < taper ? 0.5 - 0.5 * Math.Cos(Math.PI * (d - 1) / taper) : 1;
            buf[i] = x[i] * w;
        }
        var spec = new Complex[nfft / 2 + 1];
        var bins = MemoryMarshal.Cast<Complex, double>(spec.AsSpan());
        RealFft<double>.ForThread(nfft).Forward(buf, bins);
        var gain = Gain(psd, fs, settings, notched);
        double df = fs / nfft;
        spec[0] = spec[nfft / 2] = Complex.Zero;
        for (int k = 1; k < nfft / 2; k++)
        {
            double g = gain(k * df);
            spec[k] = g != 0 ? spec[k] * g : Complex.Zero;
        }
        return spec;
    }

    /// <summary>
    /// The whitening gain at frequency f: sqrt(2 / (fs S(f))) on [FLow, FHigh] outside the notches, times the
    /// kept band's share of [0, fs/2] so stationary noise comes out N(0, 1); zero elsewhere. The one definition
    /// used by block whitening here and by the streaming FIR whitener.
    /// </summary>
    /// <param name="notched">The PSD bins to notch (default: <see cref="Notches"/> of this PSD; a stream keeps its own so notches do not flicker between estimates).</param>
    public static Func<double, double> Gain(FrequencySeries psd, double fs, ConditioningSettings settings, bool[]? notched = null)
    {
        ArgumentNullException.ThrowIfNull(psd);
        ArgumentNullException.ThrowIfNull(settings);
        double fLow = settings.FLow, fHigh = settings.HighFor(fs);
        notched ??= Notches(psd, settings);
        double kept = 0;
        for (int j = 0; j < psd.Length; j++)
        {
            double f = psd.FrequencyAt(j);
            if (f >= fLow && f <= fHigh && !notched[j]) kept += psd.DeltaF;
        }
        double band = Math.Sqrt(fs / 2 / Math.Max(kept, psd.DeltaF));
        return f =>
        {
            if (f <= 0 || f < fLow || f > fHigh || f >= fs / 2) return 0;
            int j = Math.Clamp((int)Math.Round((f - psd.F0) / psd.DeltaF), 0, psd.Length - 1);
            double s = psd.Values[j];
            return s > 0 && !notched[j] ? Math.Sqrt(2 / (fs * s)) * band : 0;
        };
    }

    /// <summary>
    /// PSD bins more than NotchFactor above their running median (see <see cref="ConditioningSettings.NotchFactor"/>),
    /// and those of the fine notch (<see cref="ConditioningSettings.FineNotchFactor"/>), each widened by its own margin.
    /// </summary>
    public static bool[] Notches(FrequencySeries psd, ConditioningSettings settings)
    {
        ArgumentNullException.ThrowIfNull(psd);
        ArgumentNullException.ThrowIfNull(settings);
        var notched = new bool[psd.Length];
        Peaks(psd, settings, settings.NotchFactor, settings.NotchHalfWidth, settings.NotchWiden, notched);
        Peaks(psd, settings, settings.FineNotchFactor, settings.FineNotchHalfWidth, settings.FineNotchWiden, notched);
        return notched;
    }

    /// <summary>Marks in <paramref name="notched"/> the bins more than <paramref name="factor"/> above their running median over +-halfWidth Hz, widened by <paramref name="widenHz"/>.</summary>
    private static void Peaks(FrequencySeries psd, ConditioningSettings settings, double factor, double halfWidth, double widenHz, bool[] notched)
    {
        if (factor <= 0) return;
        var peak = new bool[psd.Length];
        int h = Math.Max(1, (int)Math.Round(halfWidth / psd.DeltaF));
        // peaks are looked for inside the analysed band, against medians from inside it, over a window kept
        // symmetric about each bin (narrower near the band's edges): on a monotone slope such as the seismic wall
        // above a low f_low the median is then the bin's own value, so only a peak stands out
        int lo = Math.Max(0, (int)Math.Ceiling((settings.FLow - psd.F0) / psd.DeltaF));
        int hi = Math.Min(psd.Length - 1, (int)Math.Floor((settings.HighFor(2 * (psd.F0 + (psd.Length - 1) * psd.DeltaF)) - psd.F0) / psd.DeltaF));
        // running median over [j - w, j + w], w = min(h, j - lo, hi - j): both ends only move up as j does, so a
        // sorted window is slid along
        var window = new List<double>(2 * h + 2);
        int ca = lo, cb = lo - 1;
        for (int j = lo; j <= hi; j++)
        {
            int w = Math.Min(h, Math.Min(j - lo, hi - j));
            int a = j - w, b = j + w;
            while (cb < b) { double v = psd.Values[++cb]; int at = window.BinarySearch(v); window.Insert(at < 0 ? ~at : at, v); }
            while (ca < a) { window.RemoveAt(window.BinarySearch(psd.Values[ca++])); }
            peak[j] = psd.Values[j] > factor * window[window.Count / 2];
        }
        int widen = (int)Math.Round(widenHz / psd.DeltaF);
        for (int j = 0; j < psd.Length; j++)
            if (peak[j])
                for (int k = Math.Max(0, j - widen); k <= Math.Min(psd.Length - 1, j + widen); k++) notched[k] = true;
    }

    /// <summary>The notched bins as bands in Hz (each from its first bin's lower edge to its last bin's upper edge).</summary>
    public static List<(double Lo, double Hi)> NotchBands(FrequencySeries psd, bool[] notched)
    {
        ArgumentNullException.ThrowIfNull(psd);
        ArgumentNullException.ThrowIfNull(notched);
        var bands = new List<(double, double)>();
        for (int j = 0; j < notched.Length; j++)
        {
            if (!notched[j]) continue;
            int a = j;
            while (j + 1 < notched.Length && notched[j + 1]) j++;
            bands.Add((psd.FrequencyAt(a) - psd.DeltaF / 2, psd.FrequencyAt(j) + psd.DeltaF / 2));
        }
        return bands;
    }

    /// <summary>For each sample, 1 + its distance to the nearest unusable sample or end (0 where it is unusable itself).</summary>
    private static int[] DistanceToGap(bool[] ok)
    {
        int n = ok.Length;
        var d = new int[n];
        int lastBad = -1;
        for (int i = 0; i < n; i++)
        {
            if (!ok[i]) lastBad = i;
            d[i] = ok[i] ? i - lastBad : 0;
        }
        int nextBad = n;
        for (int i = n - 1; i >= 0; i--)
        {
            if (!ok[i]) nextBad = i;
            else d[i] = Math.Min(d[i], nextBad - i);
        }
        return d;
    }
}
