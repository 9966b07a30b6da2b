using System.Numerics;
using Noise.Core;

namespace Noise.Simulation.Transients;

/// <summary>
/// The non-spinning inspiral-merger-ringdown model of Ajith et al., "IMRPhenomA" (Phys. Rev. D 77, 104017 (2008),
/// arXiv:0710.2335, with the coefficients of its Table I as corrected in arXiv:0712.0343v6, the values LALSuite's
/// IMRPhenomA uses). In the frequency domain h~(f) = A(f) e^{i Psi(f)}: the amplitude runs as f^-7/6 (inspiral) up
/// to f_merg, f^-2/3 (merger) up to f_ring, then a Lorentzian of width sigma about f_ring (ringdown) up to f_cut;
/// the phase is sum_k psi_k f^{(k-5)/3}. Each of f_merg, f_ring, sigma, f_cut and psi_k is a quadratic in the
/// symmetric mass ratio eta over a power of pi M (M the total mass in seconds). The time-domain waveform is the
/// inverse FFT of h~, as LALSuite renders its time-domain IMRPhenomA: tapered on (0.85, 1) f_start and on
/// (1, 1.1) f_cut so the transform does not ring, then cut where its envelope is below 1e-5 of the peak.
/// </summary>
public static class ImrPhenomA
{
    /// <summary>The model's parameters for one binary; frequencies in Hz, psi_k in the units that make Psi radians.</summary>
    public readonly record struct Coefficients(double TotalMassSeconds, double Eta, double FMerger, double FRing, double Sigma, double FCut,
        double Psi0, double Psi2, double Psi3, double Psi4, double Psi6);

    /// <summary>Fraction of f_start where the taper starts: the waveform begins (smoothly) below f_start.</summary>
    public const double TaperStart = 0.85;
    /// <summary>Where the taper above f_cut ends, as a multiple of f_cut.</summary>
    public const double TaperEnd = 1.1;
    /// <summary>Relative envelope below which the rendered waveform's head is cut.</summary>
    public const double Floor = 1e-5;

    /// <summary>Table I of arXiv:0712.0343v6 (a, b, c), quantity = (a eta^2 + b eta + c) / (pi M)^p.</summary>
    private static readonly (double A, double B, double C) MergerFit = (6.6389e-01, -1.0321e-01, 1.0979e-01),
        RingFit = (1.3278e+00, -2.0642e-01, 2.1957e-01),
        SigmaFit = (1.1383e+00, -1.7700e-01, 4.6834e-02),
        CutFit = (1.7086e+00, -2.6592e-01, 2.8236e-01),
        Psi0Fit = (-1.5829e-01, 8.7016e-02, -3.3382e-02),
        Psi2Fit = (3.2967e+01, -1.9000e+01, 2.1345e+00),
        Psi3Fit = (-3.0849e+02, 1.8211e+02, -2.1727e+01),
        Psi4Fit = (1.1525e+03, -7.1477e+02, 9.9692e+01),
        Psi6Fit = (1.2057e+03, -8.4233e+02, 1.8046e+02);

    /// <summary>The parameters of a binary of component masses m1, m2 (solar masses, detector frame).</summary>
    public static Coefficients For(double m1, double m2)
    {
        if (!(m1 > 0 && m2 > 0)) throw new ArgumentOutOfRangeException(nameof(m1), "component masses must be positive");
        double m = (m1 + m2) * GlitchWaveforms.SolarMassSeconds, eta = m1 * m2 / ((m1 + m2) * (m1 + m2));
        double piM = Math.PI * m;
        double Q((double A, double B, double C) c) => c.A * eta * eta + c.B * eta + c.C;
        return new Coefficients(m, eta, Q(MergerFit) / piM, Q(RingFit) / piM, Q(SigmaFit) / piM, Q(CutFit) / piM,
            Q(Psi0Fit) / (eta * Math.Pow(piM, 5.0 / 3)), Q(Psi2Fit) / (eta * piM), Q(Psi3Fit) / (eta * Math.Pow(piM, 2.0 / 3)),
            Q(Psi4Fit) / (eta * Math.Cbrt(piM)), Q(Psi6Fit) * Math.Cbrt(piM) / eta);
    }

    /// <summary>|h~(f)| relative to its value at f_merg (1 there); zero above f_cut.</summary>
    public static double Amplitude(in Coefficients c, double f)
    {
        if (f <= 0 || f > c.FCut) return 0;
        if (f <= c.FMerger) return Math.Pow(f / c.FMerger, -7.0 / 6);
        if (f <= c.FRing) return Math.Pow(f / c.FMerger, -2.0 / 3);
        return RingdownAmplitude(c, f);
    }

    /// <summary>The ringdown's Lorentzian, continuous with the merger's f^-2/3 at f_ring (used up to the taper's end).</summary>
    private static double RingdownAmplitude(in Coefficients c, double f)
    {
        double d = f - c.FRing, s = c.Sigma;
        double lorentzian = s / (2 * Math.PI * (d * d + 0.25 * s * s));
        return 0.5 * Math.PI * Math.Pow(c.FRing / c.FMerger, -2.0 / 3) * s * lorentzian;
    }

    /// <summary>Psi(f) = sum_k psi_k f^{(k-5)/3} (no time or phase offset).</summary>
    public static double Phase(in Coefficients c, double f)
    {
        double r = Math.Cbrt(f);
        return c.Psi0 / (f * f) * r + c.Psi2 / f + c.Psi3 / f * r + c.Psi4 / r + c.Psi6 * r;
    }

    /// <summary>
    /// Stationary-phase time of frequency f relative to the model's t = 0: with h~ = A e^{i Psi} and
    /// h(t) = int h~ e^{2 pi i f t} df, t(f) = -Psi'(f) / (2 pi). Holds in the inspiral, where f(t) is monotonic.
    /// </summary>
    public static double StationaryTime(in Coefficients c, double f)
    {
        double r = Math.Cbrt(f);
        double dPsi = -5.0 / 3 * c.Psi0 / (f * f * f) * r - c.Psi2 / (f * f) - 2.0 / 3 * c.Psi3 / (f * f) * r
            - 1.0 / 3 * c.Psi4 / (f * r) + 1.0 / 3 * c.Psi6 / (r * r);
        return -dPsi / (2 * Math.PI);
    }

    /// <summary>Seconds from the start of the waveform rendered from f_start to its peak (an upper bound of the support before it).</summary>
    public static double SecondsBeforePeak(double m1, double m2, double fStart)
    {
        var c = For(m1, m2);
        double lo = TaperStart * fStart;
        return 1.2 * Math.Max(0, StationaryTime(c, c.FMerger) - StationaryTime(c, lo)) + 0.25;
    }

    /// <summary>Seconds after the peak that the rendered waveform keeps: the ringdown's 30 e-foldings (1/(pi sigma)) and 50 ms.</summary>
    public static double SecondsAfterPeak(double m1, double m2) => 0.05 + 30 / (Math.PI * For(m1, m2).Sigma);

    /// <summary>A rendered waveform: samples with a peak envelope of 1, the peak at <see cref="PeakIndex"/> + the requested fraction.</summary>
    public sealed record Waveform(double[] Samples, int PeakIndex);

    /// <summary>
    /// The plus polarisation (face-on, phase <paramref name="phase"/>) at rate fs from f_start, its envelope's peak at
    /// sample PeakIndex + <paramref name="fraction"/> (0 &lt;= fraction &lt; 1), scaled to a unit peak envelope.
    /// </summary>
    public static Waveform Render(double m1, double m2, double fStart, int fs, double phase, double fraction)
    {
        var c = For(m1, m2);
        double lo = TaperStart * fStart, hi = Math.Min(TaperEnd * c.FCut, 0.49 * fs);
        if (!(fStart > 0) || lo >= Math.Min(c.FCut, 0.49 * fs))
            throw new NoiseInputException($"a binary of {m1:G4} + {m2:G4} Msun has no IMRPhenomA signal between {fStart} Hz and the sample rate's limit");
        double before = SecondsBeforePeak(m1, m2, fStart), after = SecondsAfterPeak(m1, m2);
        int n = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Ceiling((before + after) * fs * 1.25));
        int keepAfter = (int)Math.Ceiling(after * fs);
        int peak = n - keepAfter;           // where the peak goes in the transform's frame
        double df = (double)fs / n;

        // pass 1: the model's t = 0 at sample `peak`, plus and cross; the envelope's peak is a few ms away from it
        var bins = new double[n + 2];
        var plus = new double[n];
        var cross = new double[n];
        var fft = RealFft<double>.ForThread(n);
        Fill(bins, c, lo, fStart, hi, n, fs, phase, peak, quadrature: false);
        fft.Inverse(bins, plus);
        Fill(bins, c, lo, fStart, hi, n, fs, phase, peak, quadrature: true);
        fft.Inverse(bins, cross);
        int iMax = 0;
        double eMax = -1;
        for (int i = 0; i < n; i++)
        {
            double e = plus[i] * plus[i] + cross[i] * cross[i];
            if (e > eMax) { eMax = e; iMax = i; }
        }
        // sub-sample position of the peak: a parabola through the envelope's three samples around it
        double em = Env(plus, cross, iMax - 1), e0 = Math.Sqrt(eMax), ep = Env(plus, cross, iMax + 1);
        double curvature = em - 2 * e0 + ep;
        double found = iMax + (curvature < 0 ? 0.5 * (em - ep) / curvature : 0);
        double shift = peak + fraction - found;   // samples to delay pass 1 by

        // the head: first sample of the delayed waveform above the floor (from the pass-1 envelope, to a sample),
        // searched from `before` ahead of the peak: the frame's first quarter holds the wrapped-round end of the tail
        int delay = (int)Math.Round(shift), head = Math.Max(0, peak - (int)Math.Floor(before * fs));
        double floor2 = Floor * Floor * eMax;
        for (int i = Math.Max(head, delay); i < n; i++)
        {
            int src = i - delay;
            if (src >= n) break;
            if (plus[src] * plus[src] + cross[src] * cross[src] > floor2) { head = i; break; }
        }

        // pass 2: delayed so that the envelope peaks at peak + fraction
        Fill(bins, c, lo, fStart, hi, n, fs, phase, peak + shift, quadrature: false);
        fft.Inverse(bins, plus);
        var samples = new double[n - head];
        double scale = 1 / e0;
        for (int i = head; i < n; i++) samples[i - head] = plus[i] * scale;
        // raised-cosine turn-on over the first 1 % (the head is already below 1e-5 of the peak) and turn-off over the
        // last 20 % of the tail (the ringdown is gone; what is left, ~1e-4, is the transform's leak from the f_cut taper)
        int ramp = Math.Max(1, samples.Length / 100), tail = Math.Max(1, (n - peak) / 5);
        for (int i = 0; i < ramp; i++) samples[i] *= 0.5 - 0.5 * Math.Cos(Math.PI * i / ramp);
        for (int i = 0; i < tail; i++) samples[^(i + 1)] *= 0.5 - 0.5 * Math.Cos(Math.PI * i / tail);
        return new Waveform(samples, peak - head);
    }

    private static double Env(double[] p, double[] q, int i) => i < 0 || i >= p.Length ? 0 : Math.Sqrt(p[i] * p[i] + q[i] * q[i]);

    /// <summary>
    /// h~ on an n-point transform's grid at rate fs, tapered (sin^2) on [lo, fStart] and (cos^2) on [f_cut, hi], turned
    /// by the polarisation phase (and by -90 degrees for the cross polarisation) and delayed by d samples: the model's
    /// t = 0 lands at sample d (the phase 2 pi k d / n, taken modulo one cycle so long transforms keep its precision).
    /// </summary>
    private static void Fill(double[] bins, in Coefficients c, double lo, double fStart, double hi, int n, int fs, double phase, double d, bool quadrature)
    {
        Array.Clear(bins);
        double df = (double)fs / n;
        int kLo = Math.Max(1, (int)Math.Ceiling(lo / df)), kHi = Math.Min(n / 2 - 1, (int)Math.Floor(hi / df));
        double turn = quadrature ? -0.5 * Math.PI : 0;
        for (int k = kLo; k <= kHi; k++)
        {
            double f = k * df;
            double a = f <= c.FCut ? Amplitude(c, f) : RingdownAmplitude(c, f);
            if (f < fStart) { double x = Math.Sin(0.5 * Math.PI * (f - lo) / (fStart - lo)); a *= x * x; }
            else if (f > c.FCut) { double x = Math.Cos(0.5 * Math.PI * (f - c.FCut) / (hi - c.FCut)); a *= x * x; }
            double cycles = k * d / n;
            double psi = Phase(c, f) + phase + turn - 2 * Math.PI * (cycles - Math.Floor(cycles));
            bins[2 * k] = a * Math.Cos(psi);
            bins[2 * k + 1] = a * Math.Sin(psi);
        }
    }
}
