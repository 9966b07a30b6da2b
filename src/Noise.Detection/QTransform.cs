using System.Numerics;
using Noise.Core;

namespace Noise.Detection;

/// <summary>One Q plane: normalised tile energy on a grid of times (columns) and log-spaced frequencies (rows).</summary>
public sealed record QPlane(double Q, double[] Times, double[] Frequencies, double[,] Energy)
{
    /// <summary>Largest normalised energy and where it is.</summary>
    public (double Energy, double Time, double Frequency) Peak()
    {
        double best = -1, t = 0, f = 0;
        for (int r = 0; r < Frequencies.Length; r++)
            for (int c = 0; c < Times.Length; c++)
                if (Energy[r, c] > best) { best = Energy[r, c]; t = Times[c]; f = Frequencies[r]; }
        return (best, t, f);
    }
}

/// <summary>
/// The Q-transform of Omicron and gwpy: whiten the data with a median Welch PSD, then for each Q and each
/// log-spaced frequency row f, window the whitened spectrum with a bisquare of half-width f sqrt(11) / Q
/// around f and inverse-transform it to the row's complex time series; its |z|^2 divided by its mean is the
/// normalised tile energy (about 1 for Gaussian noise; an SNR rho tile has energy ~ 1 + rho^2 / 2).
/// The plane with the highest peak energy is the scan (gwpy's q_transform).
/// </summary>
public static class QTransform
{
    public static QPlane Scan(StrainWindow data, double centre, double window, double qMin = 4, double qMax = 64,
        double fMin = 10, double fMax = 0, int rows = 160, int columns = 400)
    {
        ArgumentNullException.ThrowIfNull(data);
        double fs = data.SampleRate;
        if (fMax <= 0) fMax = Math.Min(2048, fs / 2 * 0.9);
        var whitened = Whiten(data, fMin);
        QPlane? best = null;
        double bestEnergy = -1;
        for (double q = qMin; q <= qMax * 1.0001; q *= 2)
        {
            var plane = Plane(whitened, fs, data.Start, centre, window, q, fMin, fMax, rows, columns);
            var peak = plane.Peak().Energy;
            if (peak > bestEnergy) { bestEnergy = peak; best = plane; }
        }
        return best!;
    }

    /// <summary>Whitened spectrum of the data through the shared conditioning (median Welch PSD over 4 s or a quarter of the data).</summary>
    private static Complex[] Whiten(StrainWindow data, double fMin)
    {
        int n = data.Samples.Length;
        double fs = data.SampleRate;
        int nper = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, Math.Min(n / 4, (int)(4 * fs))));
        if (n < nper) throw new NoiseInputException($"qscan needs at least {nper / fs:g3} s of data around the time, got {n / fs:g3} s");
        var settings = new ConditioningSettings { FLow = fMin, FHigh = fs / 2, PsdSegmentSeconds = nper / fs };
        var psd = Conditioning.EstimatePsd(data.Samples, fs, settings);
        return Conditioning.WhitenedSpectrum(data.Samples, fs, psd, settings, out _);
    }

    private static QPlane Plane(Complex[] spec, double fs, double start, double centre, double window, double q,
        double fMin, double fMax, int rows, int columns)
    {
        int half = spec.Length - 1;           // nfft / 2
        int nfft = 2 * half;
        double df = fs / nfft;
        double duration = nfft / fs;
        double qPrime = q / Math.Sqrt(11);
        // the lowest row must fit a tile: half-width f / qPrime below f
        double fLo = Math.Max(fMin * (1 + 1 / qPrime), fMin);
        var freqs = new double[rows];
        for (int r = 0; r < rows; r++) freqs[r] = fLo * Math.Pow(fMax / fLo, r / (double)(rows - 1));
        var times = new double[columns];
        for (int c = 0; c < columns; c++) times[c] = centre - window / 2 + window * (c + 0.5) / columns;
        var energy = new double[rows, columns];
        for (int r = 0; r < rows; r++)
        {
            double f = freqs[r], hw = f / qPrime;
            int k0 = Math.Max(1, (int)Math.Ceiling((f - hw) / df)), k1 = Math.Min(half - 1, (int)Math.Floor((f + hw) / df));
            int m = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * (k1 - k0 + 1)));
            var z = new Complex[m];
            double norm = 0;
            for (int k = k0; k <= k1; k++)
            {
                double u = (k * df - f) / hw;
                double w = (1 - u * u) * (1 - u * u);
                z[k - k0] = spec[k] * w;
                norm += w * w;
            }
            ComplexFft.Inverse(z);
            // |z|^2 over the row, normalised by its median over the central half (robust to the event itself)
            var e = new double[m];
            for (int i = 0; i < m; i++) e[i] = z[i].Real * z[i].Real + z[i].Imaginary * z[i].Imaginary;
            var sorted = e.Skip(m / 4).Take(m / 2).OrderBy(v => v).ToArray();
            double med = sorted.Length > 0 ? sorted[sorted.Length / 2] / Math.Log(2) : 1;   // median of exp(1) is ln 2
            if (med <= 0) med = 1;
            for (int c = 0; c < columns; c++)
            {
                double tt = (times[c] - start) / duration * m;   // sample position in the row series
                int i0 = (int)Math.Floor(tt);
                double a = tt - i0;
                double v0 = e[((i0 % m) + m) % m], v1 = e[(((i0 + 1) % m) + m) % m];
                energy[r, c] = (v0 + a * (v1 - v0)) / med;
            }
        }
        return new QPlane(q, times, freqs, energy);
    }
}

/// <summary>A stretch of strain handed to the conditioning code.</summary>
public sealed record StrainWindow(double[] Samples, double SampleRate, double Start);
