using NWaves.Transforms;

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
    public static FrequencySeries Estimate(ReadOnlySpan<double> x, double sampleRate, int segmentLength, WelchAverage average = WelchAverage.Median,
        Func<int, int, bool>? usable = null)
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
        int nf = segmentLength / 2 + 1;
        var window = new double[segmentLength];
        double wss = 0;
        for (int i = 0; i < segmentLength; i++)
        {
            window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / segmentLength); // periodic Hann, as scipy
            wss += window[i] * window[i];
        }
        double scale = 1.0 / (sampleRate * wss);
        var periodograms = new double[nf][];
        for (int k = 0; k < nf; k++) periodograms[k] = new double[nseg];

        var fft = new RealFft64(segmentLength);
        var buf = new double[segmentLength];
        var re = new double[segmentLength];
        var im = new double[segmentLength];
        for (int s = 0; s < nseg; s++)
        {
            var seg = x.Slice(starts[s], segmentLength);
            double mean = 0;
            for (int i = 0; i < segmentLength; i++) mean += seg[i];
            mean /= segmentLength; // scipy detrend='constant'
            for (int i = 0; i < segmentLength; i++) buf[i] = (seg[i] - mean) * window[i];
            fft.Direct(buf, re, im);
            for (int k = 0; k < nf; k++)
            {
                double p = (re[k] * re[k] + im[k] * im[k]) * scale;
                if (k != 0 && k != nf - 1) p *= 2; // one-sided
                periodograms[k][s] = p;
            }
        }

        var psd = new double[nf];
        for (int k = 0; k < nf; k++)
        {
            var col = periodograms[k];
            if (average == WelchAverage.Mean)
            {
                double sum = 0;
                foreach (var v in col) sum += v;
                psd[k] = sum / nseg;
            }
            else
            {
                Array.Sort(col);
                double med = nseg % 2 == 1 ? col[nseg / 2] : 0.5 * (col[nseg / 2 - 1] + col[nseg / 2]);
                psd[k] = med / MedianBias(nseg);
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
