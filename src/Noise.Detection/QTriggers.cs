using System.Numerics;
using Noise.Core;

namespace Noise.Detection;

/// <summary>One trigger with Omicron's columns (times in GPS seconds, frequencies in Hz).</summary>
public sealed record QTrigger(double Time, double Frequency, double TStart, double TEnd, double FStart, double FEnd,
    double Snr, double Q, double Amplitude, double Phase);

/// <summary>Settings of the Omicron-like trigger generator.</summary>
public sealed record QTriggerSettings
{
    public double QMin { get; init; } = 4;
    public double QMax { get; init; } = 64;
    public double FMin { get; init; } = 20;
    public double FMax { get; init; } = 1024;
    /// <summary>Maximal fractional energy loss between neighbouring tiles (sets the tiling density).</summary>
    public double Mismatch { get; init; } = 0.2;
    /// <summary>Tiles at or above this SNR are kept.</summary>
    public double SnrThreshold { get; init; } = 5;
    /// <summary>Tiles closer than this in time (s) are one trigger.</summary>
    public double ClusterSeconds { get; init; } = 0.1;
}

/// <summary>
/// The classic baseline: Omicron's multi-resolution Q tiling of conditioned strain. Q planes are spaced so the
/// mismatch between neighbours stays below <see cref="QTriggerSettings.Mismatch"/> (gwpy's QTiling), each plane
/// has log-spaced frequency rows and each row its own time resolution (the inverse-FFT of the whitened spectrum
/// under a bisquare window). A tile's normalised energy E (its |z|^2 over the row median / ln 2) is about 1 in
/// Gaussian noise and 1 + rho^2/2 for a matched signal of SNR rho, so its SNR is sqrt(2 (E - 1)). Tiles above the
/// threshold are clustered in time; each cluster is a trigger at its loudest tile.
/// </summary>
public static class QTriggers
{
    /// <param name="notches">Bands (Hz) to remove from the whole input before tiling: a stream's notches, which may
    /// have switched on partway through it (rows inside them are then skipped, as in block whitening, rather than
    /// normalised by a median that the notched part drags towards zero).</param>
    public static List<QTrigger> Find(ReadOnlySpan<double> x, double fs, double start, FrequencySeries psd, ConditioningSettings conditioning, QTriggerSettings settings,
        IReadOnlyList<(double Lo, double Hi)>? notches = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var spec = Conditioning.WhitenedSpectrum(x, fs, psd, conditioning with { FLow = Math.Min(conditioning.FLow, settings.FMin) }, out var usable);
        int half = spec.Length - 1, nfft = 2 * half;
        double df = fs / nfft, duration = nfft / fs;
        foreach (var (lo, hi) in notches ?? [])
            for (int k = Math.Max(0, (int)Math.Ceiling(lo / df)); k <= Math.Min(half, (int)Math.Floor(hi / df)); k++) spec[k] = Complex.Zero;
        double fMax = Math.Min(settings.FMax, conditioning.HighFor(fs));
        double deltam = 2 * Math.Sqrt(settings.Mismatch / 3);
        int planes = Math.Max(1, (int)Math.Ceiling(Math.Log(settings.QMax / settings.QMin) / (Math.Sqrt(2) * deltam)));
        var tiles = new List<QTrigger>();
        var held = Array.Empty<double>();
        for (int p = 0; p < planes; p++)
        {
            double q = settings.QMin * Math.Pow(settings.QMax / settings.QMin, (p + 0.5) / planes);
            double qPrime = q / Math.Sqrt(11);
            double fLo = settings.FMin * (1 + 1 / qPrime);
            if (fLo >= fMax) continue;
            int rows = Math.Max(1, (int)Math.Ceiling(Math.Log(fMax / fLo) * Math.Sqrt(2 + q * q) / 2 / deltam));
            for (int r = 0; r < rows; r++)
            {
                double f = fLo * Math.Pow(fMax / fLo, (r + 0.5) / rows), hw = f / qPrime;
                int k0 = Math.Max(1, (int)Math.Ceiling((f - hw) / df)), k1 = Math.Min(half - 1, (int)Math.Floor((f + hw) / df));
                if (k1 < k0) continue;
                int m = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * (k1 - k0 + 1)));
                // this thread's row buffers (a 256 s chunk's widest rows are 4 MB each: fresh arrays every row were
                // large-object allocations faulted in anew); the transform reads the first m of each
                var (zr, zi, e) = RowBuffers(m);
                Array.Clear(zr, 0, m);
                Array.Clear(zi, 0, m);
                double wAll = 0, wData = 0;
                for (int k = k0; k <= k1; k++)
                {
                    double u = (k * df - f) / hw, w = (1 - u * u) * (1 - u * u);
                    zr[k - k0] = spec[k].Real * w;
                    zi[k - k0] = spec[k].Imaginary * w;
                    wAll += w * w;
                    if (spec[k] != Complex.Zero) wData += w * w;
                }
                // a row whose band lies mostly outside the analysed band or in notches measures nothing
                if (wData < 0.5 * wAll) continue;
                // the row's band inverse-transformed on its own short grid (split format, this thread's transform)
                var (rr, ri) = StockhamFft<double>.ForThread(m).Transform(zr, zi);
                for (int i = 0; i < m; i++) e[i] = rr[i] * rr[i] + ri[i] * ri[i];
                double tileSeconds = duration / m;
                // the row's median over tiles that hold data only (padding and gaps would drag it to zero); a
                // selection, not a sort: the median of every row was most of the baseline's time
                if (held.Length < m) held = new double[m];
                int count = 0;
                for (int i = 0; i < m; i++)
                {
                    int smp = (int)(i * tileSeconds * fs);
                    if (smp < usable.Length && usable[smp]) held[count++] = e[i];
                }
                if (count < 8) continue;
                double med = Selection.Kth(held.AsSpan(0, count), count / 2) / Math.Log(2);
                if (!(med > 0)) continue;
                for (int i = 0; i < m; i++)
                {
                    double energy = e[i] / med;
                    if (energy <= 1) continue;
                    double snr = Math.Sqrt(2 * (energy - 1));
                    if (snr < settings.SnrThreshold) continue;
                    double t = i * tileSeconds;                     // seconds from the start of the data
                    // the tile and the row filter's reach (~2 / half-bandwidth) must lie on usable data
                    if (!Usable(usable, t, Math.Max(tileSeconds, 2 / hw), fs)) continue;
                    // Omicron's amplitude: the SNR in strain units at the tile's frequency
                    double s = psd.Values[Math.Clamp((int)Math.Round((f - psd.F0) / psd.DeltaF), 0, psd.Length - 1)];
                    tiles.Add(new QTrigger(start + t, f, start + t - tileSeconds / 2, start + t + tileSeconds / 2, f - hw, f + hw,
                        snr, q, snr * Math.Sqrt(s / 2), Math.Atan2(ri[i], rr[i])));
                }
            }
        }
        return Cluster(tiles, settings.ClusterSeconds);
    }

    [ThreadStatic] private static double[]? _rowRe, _rowIm, _rowEnergy;

    /// <summary>This thread's buffers of at least m values for a row's band, its transform and its energies.</summary>
    private static (double[] Re, double[] Im, double[] Energy) RowBuffers(int m)
    {
        if (_rowRe is null || _rowRe.Length < m)
        {
            _rowRe = new double[m];
            _rowIm = new double[m];
            _rowEnergy = new double[m];
        }
        return (_rowRe, _rowIm!, _rowEnergy!);
    }

    private static bool Usable(bool[] usable, double t, double reach, double fs)
    {
        foreach (var u in new[] { t - reach, t, t + reach })
        {
            long k = (long)Math.Floor(u * fs);
            if (k < 0 || k >= usable.Length || !usable[k]) return false;
        }
        return true;
    }

    /// <summary>Tiles sorted in time; a cluster grows while the next tile starts within dt of its end.</summary>
    public static List<QTrigger> Cluster(List<QTrigger> tiles, double dt)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        tiles.Sort((a, b) => a.TStart.CompareTo(b.TStart));
        var triggers = new List<QTrigger>();
        int i = 0;
        while (i < tiles.Count)
        {
            var best = tiles[i];
            double tEnd = best.TEnd, tStart = best.TStart, fStart = best.FStart, fEnd = best.FEnd;
            int j = i + 1;
            for (; j < tiles.Count && tiles[j].TStart <= tEnd + dt; j++)
            {
                var t = tiles[j];
                tEnd = Math.Max(tEnd, t.TEnd);
                fStart = Math.Min(fStart, t.FStart);
                fEnd = Math.Max(fEnd, t.FEnd);
                if (t.Snr > best.Snr) best = t;
            }
            triggers.Add(best with { TStart = tStart, TEnd = tEnd, FStart = fStart, FEnd = fEnd });
            i = j;
        }
        return triggers;
    }
}
