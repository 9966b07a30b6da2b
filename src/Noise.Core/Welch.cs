namespace Noise.Core;

/// <summary>How Welch combines the periodograms of its segments.</summary>
public enum WelchAverage { Mean, Median }

/// <summary>
/// One-sided Welch PSD estimate with Hann windows and 50 % overlap, as scipy.signal.welch
/// (scaling='density'); median averaging includes scipy's bias correction so it resists glitches.
/// </summary>
public static class Welch
{
    public static FrequencySeries Estimate(ReadOnlySpan<float> x, double sampleRate, int segmentLength, WelchAverage average = WelchAverage.Median)
    {
        var d = new double[x.Length];
        for (int i = 0; i < d.Length; i++) d[i] = x[i];
        return Estimate(d, sampleRate, segmentLength, average);
    }

    /// <param name="usable">When given, only segments (start, length) for which it returns true are averaged (gaps are left out).</param>
    /// <param name="bins">Average only the first bins (see <see cref="Average"/>); the rest are NaN.</param>
    public static FrequencySeries Estimate(ReadOnlySpan<double> x, double sampleRate, int segmentLength, WelchAverage average = WelchAverage.Median,
        Func<int, int, bool>? usable = null, int? bins = null)
    {
        if (segmentLength < 8 || (segmentLength & (segmentLength - 1)) != 0)
            throw new ArgumentException("segment length must be a power of two >= 8", nameof(segmentLength));
        if (x.Length < segmentLength)
            throw new NoiseInputException($"Welch needs at least {segmentLength} samples ({segmentLength / sampleRate:g4} s), got {x.Length}");
        int step = segmentLength / 2;
        var starts = new List<int>();
        for (int s0 = 0; s0 + segmentLength <= x.Length; s0 += step)
            if (usable is null || usable(s0, segmentLength)) starts.Add(s0);
        int nseg = starts.Count;
        if (nseg == 0)
            throw new NoiseInputException($"Welch: no {segmentLength / sampleRate:g4} s stretch without gaps in {x.Length / sampleRate:g4} s of data");
        var periodogram = new WelchPeriodogram(segmentLength, sampleRate);
        var periodograms = new List<double[]>(nseg);
        foreach (var s0 in starts) periodograms.Add(periodogram.Of(x.Slice(s0, segmentLength)));
        return Average(periodograms, sampleRate, segmentLength, average, bins);
    }

    /// <summary>The mean or the bias-corrected median (scipy's) of one-sided periodograms, bin by bin.</summary>
    /// <param name="bins">Average only the first bins (a caller that reads no higher); the rest are NaN.</param>
    public static FrequencySeries Average(IReadOnlyList<double[]> periodograms, double sampleRate, int segmentLength, WelchAverage average = WelchAverage.Median, int? bins = null)
    {
        ArgumentNullException.ThrowIfNull(periodograms);
        int nseg = periodograms.Count, nf = segmentLength / 2 + 1;
        if (nseg == 0) throw new NoiseInputException("Welch: no segments to average");
        var psd = new double[nf];
        int last = Math.Min(nf, bins ?? nf);
        Array.Fill(psd, double.NaN, last, nf - last);
        double bias = MedianBias(nseg);
        // bins are taken in blocks, each segment's run of a block copied at once: reading one bin of every
        // segment at a time missed the cache on every value, and was most of a 256 s chunk's PSD
        const int Block = 64;
        var cols = new double[Block * nseg];
        for (int k0 = 0; k0 < last; k0 += Block)
        {
            int width = Math.Min(Block, last - k0);
            for (int s = 0; s < nseg; s++)
            {
                var row = periodograms[s];
                for (int j = 0; j < width; j++) cols[j * nseg + s] = row[k0 + j];
            }
            for (int j = 0; j < width; j++)
            {
                var col = cols.AsSpan(j * nseg, nseg);
                if (average == WelchAverage.Mean)
                {
                    double sum = 0;
                    foreach (var v in col) sum += v;
                    psd[k0 + j] = sum / nseg;
                }
                else
                {
                    psd[k0 + j] = Selection.Median(col) / bias;
                }
            }
        }
        return new FrequencySeries(0, sampleRate / segmentLength, psd);
    }

    /// <summary>Ratio of the median to the mean of n chi-squared(2) periodograms (scipy's _median_bias).</summary>
    public static double MedianBias(int n)
    {
        double b = 1;
        for (int i = 1; i <= (n - 1) / 2; i++) b += 1.0 / (2 * i + 1) - 1.0 / (2 * i);
        return b;
    }
}

/// <summary>
/// One Welch segment's one-sided periodogram, as scipy.signal.welch computes it (periodic Hann window, constant
/// detrend, density scaling): shared by the block estimate and the streaming running PSD.
/// </summary>
public sealed class WelchPeriodogram
{
    private readonly int _n;
    private readonly double[] _window, _buf, _bins;
    private readonly double _scale;
    private readonly RealFft<double> _fft;

    public WelchPeriodogram(int segmentLength, double sampleRate)
    {
        _n = segmentLength;
        _window = new double[segmentLength];
        double wss = 0;
        for (int i = 0; i < segmentLength; i++)
        {
            _window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / segmentLength); // periodic Hann, as scipy
            wss += _window[i] * _window[i];
        }
        _scale = 1.0 / (sampleRate * wss);
        _fft = new RealFft<double>(segmentLength);
        _buf = new double[segmentLength];
        _bins = new double[segmentLength + 2];
    }

    public double[] Of(ReadOnlySpan<double> seg) => Of(seg, new double[_n / 2 + 1]);

    /// <summary>Into <paramref name="p"/> (n/2 + 1 values; a stream recycles them).</summary>
    public double[] Of(ReadOnlySpan<double> seg, double[] p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (seg.Length != _n) throw new ArgumentException($"segment of {seg.Length} samples, expected {_n}", nameof(seg));
        if (p.Length != _n / 2 + 1) throw new ArgumentException($"periodogram of {p.Length} bins, expected {_n / 2 + 1}", nameof(p));
        double mean = 0;
        for (int i = 0; i < _n; i++) mean += seg[i];
        mean /= _n; // scipy detrend='constant'
        for (int i = 0; i < _n; i++) _buf[i] = (seg[i] - mean) * _window[i];
        _fft.Forward(_buf, _bins);
        int nf = _n / 2 + 1;
        for (int k = 0; k < nf; k++)
        {
            double re = _bins[2 * k], im = _bins[2 * k + 1];
            p[k] = (re * re + im * im) * _scale;
            if (k != 0 && k != nf - 1) p[k] *= 2; // one-sided
        }
        return p;
    }
}
