using System.Numerics;
using Noise.Core;

namespace Noise.Simulation.Transients;

/// <summary>
/// Renders atoms exactly as the transient kernel does and measures what the catalogue reports about them:
/// optimal SNR against the scenario's PSD over [f_low, fs/2] with the noise-weighted inner product
/// 4 Re sum h~* h~ / S df, h~ = rfft(h)/fs (FIELD_NOTES §1), hrss, peak amplitude, frequencies and duration.
/// Thread-safe: events are placed in parallel.
/// </summary>
public sealed class TransientMeasure(Scenario scenario)
{
    private readonly PsdCurve _psd = scenario.LoadPsd();
    private readonly Dictionary<(int N, int Fs), double[]> _inversePsd = [];

    /// <summary>The event's samples over [lo, hi) with the kernel's own evaluation.</summary>
    public static double[] Render(TransientAtom[] atoms, long lo, long hi, int fs)
    {
        var h = new double[hi - lo];
        float invFs = 1f / fs;
        foreach (var a in atoms)
            for (long s = Math.Max(lo, a.FirstSample); s < Math.Min(hi, a.EndSample); s++)
                h[s - lo] += TransientAtom.Evaluate(a, ((s - a.CenterSample) - a.CenterFraction) * invFs);
        return h;
    }

    public sealed record Measurement(double Snr, double Hrss, double Amplitude, double Central, double Peak, double Bandwidth, long StartOffset, double Duration);

    /// <summary>
    /// Optimal SNR against the scenario's PSD and the catalogue's measured columns of samples h at rate fs:
    /// central frequency and bandwidth (2 sigma) of the whitened energy spectrum, its peak frequency, and the
    /// interval holding 5-95 % of the energy as start and duration.
    /// </summary>
    public Measurement Measure(double[] h, int fs)
    {
        ArgumentNullException.ThrowIfNull(h);
        // df <= 0.5 Hz (the noise curves' own step): 1/S changes by decades between 10 and 30 Hz, and a coarser
        // grid misweights low-frequency glitches by a few percent
        int n = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(h.Length, 2 * fs));
        // events are measured one after another on each thread: reuse its transform and buffers for this n
        // (a new transform per event rebuilt its tables, and the fresh arrays cost page faults and LOH GCs); the rare
        // long events (chirps from low frequencies) get their own, so no thread keeps tens of MB for them
        var scratch = n > MaxCachedLength ? new Scratch(n)
            : (_scratch ??= []).TryGetValue(n, out var cachedScratch) ? cachedScratch : (_scratch[n] = new Scratch(n));
        // float32 transform (relative error ~1e-6; the SNRs are checked to 2 %) of h scaled to a unit peak, so that
        // strain-sized values (1e-21) never reach float32's denormals; the spectrum is scaled back in double
        double hMax = 0;
        foreach (var v in h) hMax = Math.Max(hMax, Math.Abs(v));
        double unit = hMax > 0 ? 1 / hMax : 1;
        var x = scratch.X;
        for (int i = 0; i < h.Length; i++) x[i] = (float)(h[i] * unit);
        Array.Clear(x, h.Length, n - h.Length);
        var bins = scratch.Bins;
        scratch.Fft.Forward(x, bins);
        double df = (double)fs / n;
        var invS = InversePsd(n, fs);
        double inner = 0, sw = 0, swf = 0, swf2 = 0, best = -1, peak = 0;
        for (int k = 1; k < n / 2; k++)
        {
            if (invS[k] == 0) continue;
            double f = k * df;
            double re = bins[2 * k], im = bins[2 * k + 1];
            double p = (re * re + im * im) * (hMax * hMax) / ((double)fs * fs) * invS[k];
            inner += p;
            sw += p; swf += p * f; swf2 += p * f * f;
            if (p > best) { best = p; peak = f; }
        }
        double snr = Math.Sqrt(4 * inner * df);
        double central = swf / sw;
        double bandwidth = 2 * Math.Sqrt(Math.Max(0, swf2 / sw - central * central));
        double e = 0, amp = 0;
        foreach (var v in h) { e += v * v; amp = Math.Max(amp, Math.Abs(v)); }
        double acc = 0;
        long start = 0, stop = h.Length;
        bool started = false;
        for (int i = 0; i < h.Length; i++)
        {
            acc += h[i] * h[i];
            if (!started && acc >= 0.05 * e) { start = i; started = true; }
            if (acc >= 0.95 * e) { stop = i + 1; break; }
        }
        return new Measurement(snr, Math.Sqrt(e / fs), amp, central, peak, bandwidth, start, (double)(stop - start) / fs);
    }

    private sealed class Scratch(int n)
    {
        public readonly RealFft<float> Fft = new(n);
        public readonly float[] X = new float[n], Bins = new float[n + 2];
    }

    [ThreadStatic] private static Dictionary<int, Scratch>? _scratch;
    /// <summary>Longest transform whose scratch a thread keeps: 2^20 samples, 64 s at 16384 Hz (~16 MB with its buffers).</summary>
    private const int MaxCachedLength = 1 << 20;

    /// <summary>1/S(f_k) on the grid of an n-point FFT at rate fs, zero below f_low: computed once per (n, fs).</summary>
    private double[] InversePsd(int n, int fs)
    {
        lock (_inversePsd)
        {
            if (_inversePsd.TryGetValue((n, fs), out var cached)) return cached;
            var inv = new double[n / 2 + 1];
            double df = (double)fs / n;
            for (int k = 1; k < n / 2; k++)
            {
                double f = k * df;
                if (f < scenario.FLow) continue;
                double s = _psd.At(f);
                if (s > 0) inv[k] = 1 / s;
            }
            _inversePsd[(n, fs)] = inv;
            return inv;
        }
    }
}
