using System.Numerics;
using Noise.Core;
using Noise.Simulation.Transients;

namespace Noise.Detection;

/// <summary>
/// How the compact-binary consistency test searches and decides (recorded in report.json). The bank is a grid in
/// detector-frame chirp mass (log-spaced) and mass ratio of non-spinning IMRPhenomA templates, each from FLow or
/// from the frequency where it is MaxTemplateSeconds long, whichever is higher, so it fits the segment.
/// </summary>
public sealed record CbcCheckSettings
{
    /// <summary>
    /// Raw glitch probability from which a run of windows is tested. 0.5 where triggers are made at any threshold
    /// from 0.5 (evaluate's ROC and threshold search); a pipeline that reports at one threshold tests from there
    /// (a run whose windows all stay below it cannot make a trigger) and so tests a few runs an hour, not dozens.
    /// </summary>
    public double ProbabilityFloor { get; init; } = 0.5;
    public double ChirpMassMin { get; init; } = 5;
    public double ChirpMassMax { get; init; } = 60;
    /// <summary>Relative step of the coarse grid in chirp mass; the best coarse template is refined locally.</summary>
    public double ChirpMassStep { get; init; } = 0.04;
    public IReadOnlyList<double> MassRatios { get; init; } = [1, 1.6, 2.6, 4.5];
    /// <summary>
    /// The population accepted as binaries lies inside the searched one (towards the bank's heavy, unequal edge,
    /// short templates resemble blips): the test uses the best fit inside AcceptChirpMassMax and AcceptMassRatioMax,
    /// and compares it with the whole bank's (<see cref="MaxEdgePreference"/>).
    /// </summary>
    public double AcceptChirpMassMax { get; init; } = 50;
    public double AcceptMassRatioMax { get; init; } = 3;
    public double FLow { get; init; } = 20;
    /// <summary>Whitened data searched per test (s, a power of two at the model's rate).</summary>
    public double SegmentSeconds { get; init; } = 8;
    public double MaxTemplateSeconds { get; init; } = 5;
    /// <summary>Frequency bands of equal template power for Allen's chi-square (2p - 2 degrees of freedom).</summary>
    public int ChiSquareBins { get; init; } = 16;
    /// <summary>A window is consistent with a binary merger when the best template reaches MinSnr ...</summary>
    public double MinSnr { get; init; } = 6;
    /// <summary>... with a reduced chi-square at most MaxReducedChiSquare + ChiSquareSlope x SNR^2 (template mismatch grows it with SNR) ...</summary>
    public double MaxReducedChiSquare { get; init; } = 1.2;
    public double ChiSquareSlope { get; init; } = 0.002;
    /// <summary>... the template accounts for at least this share of the window's excess power (SNR^2 / excess SNR^2) ...</summary>
    public double MinPowerShare { get; init; } = 0.2;
    /// <summary>
    /// ... and the whole bank fits no better than the accepted population by more than this in SNR^2 (twice the
    /// log-likelihood ratio): a glitch that a blip-like heavy, unequal template fits better is not a merger; a
    /// weak merger whose noisy fit merely drifts there is.
    /// </summary>
    public double MaxEdgePreference { get; init; } = 4;
}

/// <summary>The best template for one stretch of whitened data, and whether it says "binary merger".</summary>
/// <param name="Snr">Matched-filter SNR of the best template (both phases).</param>
/// <param name="ReducedChiSquare">Allen's chi-square of that template at its peak over 2p - 2.</param>
/// <param name="Time">The template's merger time (GPS s).</param>
/// <param name="ModelProbability">The model's glitch probability before the test.</param>
public sealed record CbcMatch(double Snr, double ReducedChiSquare, double ChirpMass, double MassRatio, double Time, double ModelProbability, bool Consistent)
{
    /// <summary>SNR^2 by which the whole bank beats the accepted population (0: the best fit lies inside it).</summary>
    public double EdgePreference { get; init; }
}

/// <summary>
/// A bank of IMRPhenomA templates on the model's frequency grid, built once per rate (unwhitened; a
/// <see cref="CbcFilter"/> whitens them with one PSD's gain).
/// </summary>
public sealed class CbcBank
{
    public CbcCheckSettings Settings { get; }
    public int SampleRate { get; }
    /// <summary>Samples per segment and the grid's bin width (Hz).</summary>
    public int N { get; }
    public double DeltaF { get; }
    internal readonly List<Template> Templates = [];

    /// <summary>One template: its parameters, first bin and complex values (float) from there.</summary>
    internal sealed record Template(double ChirpMass, double MassRatio, int K0, float[] Re, float[] Im);

    public CbcBank(int sampleRate, double fHigh, CbcCheckSettings? settings = null)
    {
        Settings = settings ?? new CbcCheckSettings();
        SampleRate = sampleRate;
        N = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Round(Settings.SegmentSeconds * sampleRate));
        DeltaF = (double)sampleRate / N;
        _fHigh = Math.Min(fHigh, 0.49 * sampleRate);
        int bins = N / 2 + 1;
        _fm76 = new double[bins]; _fm53 = new double[bins]; _fm1 = new double[bins]; _fm23 = new double[bins]; _fm13 = new double[bins]; _fp13 = new double[bins];
        for (int k = 1; k < bins; k++)
        {
            double f = k * DeltaF, r = Math.Cbrt(f);
            _fm1[k] = 1 / f;
            _fp13[k] = r;
            _fm13[k] = 1 / r;
            _fm23[k] = 1 / (r * r);
            _fm53[k] = _fm23[k] / f;
            _fm76[k] = Math.Pow(f, -7.0 / 6);
        }
        for (double mc = Settings.ChirpMassMin; mc <= Settings.ChirpMassMax * (1 + 1e-9); mc *= 1 + Settings.ChirpMassStep)
            foreach (var q in Settings.MassRatios)
                if (Make(mc, q) is { } t) Templates.Add(t);
        if (Templates.Count == 0) throw new ArgumentException("the CBC bank holds no template inside the band");
    }

    private readonly double _fHigh;
    // f^-7/6, f^-5/3, f^-1, f^-2/3, f^-1/3, f^1/3 on the grid: IMRPhenomA's amplitude and phase terms
    private readonly double[] _fm76, _fm53, _fm1, _fm23, _fm13, _fp13;

    /// <summary>Component masses (Msun) of chirp mass mc and mass ratio q = m1 / m2 &gt;= 1.</summary>
    public static (double M1, double M2) Masses(double mc, double q)
    {
        double eta = q / ((1 + q) * (1 + q)), m = mc * Math.Pow(eta, -0.6);
        return (m * q / (1 + q), m / (1 + q));
    }

    /// <summary>The template of (mc, q) on this grid; null where it has nothing in the band.</summary>
    internal Template? Make(double mc, double q)
    {
        var (m1, m2) = Masses(mc, q);
        var c = ImrPhenomA.For(m1, m2);
        double fStart = StartFor(c), fTop = Math.Min(c.FCut, _fHigh);
        int k0 = (int)Math.Ceiling(fStart / DeltaF), k1 = (int)Math.Floor(fTop / DeltaF);
        if (k1 - k0 < 16) return null;
        var re = new float[k1 - k0 + 1];
        var im = new float[re.Length];
        // the model's powers of f from the grid's tables (Math.Pow and Cbrt per bin cost most of a template's build)
        double aInspiral = Math.Pow(c.FMerger, 7.0 / 6), aMerger = Math.Pow(c.FMerger, 2.0 / 3);
        for (int k = k0; k <= k1; k++)
        {
            double f = k * DeltaF;
            double a = f <= c.FMerger ? _fm76[k] * aInspiral : f <= c.FRing ? _fm23[k] * aMerger : ImrPhenomA.Amplitude(c, f);
            double p = c.Psi0 * _fm53[k] + c.Psi2 * _fm1[k] + c.Psi3 * _fm23[k] + c.Psi4 * _fm13[k] + c.Psi6 * _fp13[k];
            var (sin, cos) = Math.SinCos(p);
            re[k - k0] = (float)(a * cos);
            im[k - k0] = (float)(a * sin);
        }
        return new Template(mc, q, k0, re, im);
    }

    /// <summary>FLow, or higher where the template from FLow would not fit MaxTemplateSeconds (bisection on the stationary-phase time).</summary>
    private double StartFor(in ImrPhenomA.Coefficients c)
    {
        double tMerge = ImrPhenomA.StationaryTime(c, c.FMerger), lo = Settings.FLow, hi = c.FMerger;
        if (tMerge - ImrPhenomA.StationaryTime(c, lo) <= Settings.MaxTemplateSeconds) return lo;
        for (int i = 0; i < 50; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (tMerge - ImrPhenomA.StationaryTime(c, mid) > Settings.MaxTemplateSeconds) lo = mid; else hi = mid;
        }
        return hi;
    }
}

/// <summary>
/// The bank whitened by one whitening gain (the conditioning's, so templates and data see the same filter), and the
/// test itself: the best template by matched-filter SNR over a coarse grid refined locally, its chi-square over
/// frequency bands at its peak, and the decision of <see cref="CbcCheckSettings"/>. One per PSD; not thread-safe.
/// </summary>
public sealed class CbcFilter
{
    private readonly CbcBank _bank;
    private readonly double[] _gain;          // whitening gain on the bank's grid (0 outside the band and in notches)
    private readonly double[] _norm;          // per template: sum over bins of |g h|^2
    private readonly int _m;                  // the complex transform's length, N / 2: z at every second sample (see Peak)
    private readonly double[] _dRe, _dIm, _zRe, _zIm, _seg;
    private readonly StockhamFft<double> _fft;

    /// <param name="gain">The conditioning's whitening gain (<see cref="Conditioning.Gain"/>), any scale.</param>
    public CbcFilter(CbcBank bank, Func<double, double> gain)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(gain);
        _bank = bank;
        int half = bank.N / 2;
        _gain = new double[half + 1];
        for (int k = 1; k < half; k++) _gain[k] = gain(k * bank.DeltaF);
        _norm = new double[bank.Templates.Count];
        for (int j = 0; j < _norm.Length; j++) _norm[j] = Norm(bank.Templates[j]);
        _m = half;
        _dRe = new double[half + 1];
        _dIm = new double[half + 1];
        _zRe = new double[_m];
        _zIm = new double[_m];
        _seg = new double[bank.N];
        _fft = new StockhamFft<double>(_m);
    }

    private double Norm(CbcBank.Template t)
    {
        double s = 0;
        for (int i = 0; i < t.Re.Length; i++)
        {
            double g = _gain[t.K0 + i];
            s += g * g * ((double)t.Re[i] * t.Re[i] + (double)t.Im[i] * t.Im[i]);
        }
        return s;
    }

    /// <summary>
    /// Tests whitened data for a binary merger whose peak lies in samples [from, to) of <paramref name="segment"/>
    /// (at the bank's rate, at most N samples; NaN counts as no data). <paramref name="segmentStart"/> (GPS s) dates it;
    /// <paramref name="excessSnr"/> is the window's excess-power SNR (the share of it the template explains).
    /// </summary>
    public CbcMatch Test(ReadOnlySpan<double> segment, double segmentStart, int from, int to, double excessSnr, double modelProbability)
    {
        var s = _bank.Settings;
        int n = _bank.N;
        if (segment.Length > n) throw new ArgumentException("segment longer than the bank's", nameof(segment));
        Array.Clear(_seg);
        for (int i = 0; i < segment.Length; i++) _seg[i] = double.IsFinite(segment[i]) ? segment[i] : 0;
        var bins = new double[n + 2];
        RealFft<double>.ForThread(n).Forward(_seg, bins);
        for (int k = 0; k <= n / 2; k++) { _dRe[k] = bins[2 * k]; _dIm[k] = bins[2 * k + 1]; }
        double power = NoisePower();
        if (!(power > 0)) return new CbcMatch(0, double.NaN, double.NaN, double.NaN, double.NaN, modelProbability, false);

        // coarse grid: the template and peak sample with the highest |z|^2 / norm, over the whole bank and over the
        // accepted population inside it
        int lo = Math.Max(0, from / 2), hi = Math.Min(_m, (to + 1) / 2);
        Fit all = new(-1, null, 0, 0, 0, 0), inside = all;
        for (int j = 0; j < _bank.Templates.Count; j++)
        {
            var t = _bank.Templates[j];
            if (_norm[j] <= 0) continue;
            var (rho2, at) = Peak(t, _norm[j], lo, hi);
            var fit = new Fit(rho2, t, _norm[j], at, t.ChirpMass, t.MassRatio);
            if (rho2 > all.Rho2) all = fit;
            if (rho2 > inside.Rho2 && Accepted(t.ChirpMass, t.MassRatio)) inside = fit;
        }
        if (all.Template is null) return new CbcMatch(0, double.NaN, double.NaN, double.NaN, double.NaN, modelProbability, false);
        all = Refine(all, lo, hi, s.ChirpMassMax, s.MassRatios.Max());
        inside = inside.Template is null ? inside : Refine(inside, lo, hi, s.AcceptChirpMassMax, s.AcceptMassRatioMax);
        if (inside.Template is not { } cur) return new CbcMatch(Math.Sqrt(all.Rho2 / (power / 2)), double.NaN, all.ChirpMass, all.MassRatio, double.NaN, modelProbability, false);

        // the accepted fit's peak between grid samples (parabola in |z|), then its SNR and chi-square there by direct sums
        double tPeak = RefinePeak(cur, inside.Norm, inside.At);
        var (rho, chi2) = ChiSquare(cur, inside.Norm, tPeak, power, s.ChiSquareBins);
        double reduced = chi2 / (2 * s.ChiSquareBins - 2);
        double share = excessSnr > 0 && double.IsFinite(excessSnr) ? rho * rho / (excessSnr * excessSnr) : 1;
        // how much better the whole bank fits than the accepted population (SNR^2 is twice the log-likelihood ratio)
        double edge = Math.Max(0, (all.Rho2 - inside.Rho2) / (power / 2));
        bool consistent = rho >= s.MinSnr && reduced <= s.MaxReducedChiSquare + s.ChiSquareSlope * rho * rho && share >= s.MinPowerShare && edge <= s.MaxEdgePreference;
        return new CbcMatch(rho, reduced, inside.ChirpMass, inside.MassRatio, segmentStart + tPeak / _bank.SampleRate, modelProbability, consistent) { EdgePreference = edge };
    }

    private bool Accepted(double mc, double q) => mc <= _bank.Settings.AcceptChirpMassMax && q <= _bank.Settings.AcceptMassRatioMax;

    /// <summary>A template's fit: |z|^2 / norm at its best grid sample (unnormalised by the noise power).</summary>
    private readonly record struct Fit(double Rho2, CbcBank.Template? Template, double Norm, int At, double ChirpMass, double MassRatio);

    /// <summary>Local refinement in (ln mc, q) from a coarse fit: halving steps, inside mc &lt;= mcMax and q &lt;= qMax.</summary>
    private Fit Refine(Fit start, int lo, int hi, double mcMax, double qMax)
    {
        var s = _bank.Settings;
        var best = start;
        double step = s.ChirpMassStep, qStep = 0.25 * start.MassRatio;
        for (int round = 0; round < 4; round++, step /= 2, qStep /= 2)
        {
            double mc = best.ChirpMass, q = best.MassRatio;
            foreach (var (dm, dq) in Moves)
            {
                double m2 = Math.Clamp(mc * (1 + dm * step), s.ChirpMassMin, mcMax), q2 = Math.Clamp(q + dq * qStep, 1, qMax);
                if (m2 == mc && q2 == q) continue;
                if (_bank.Make(m2, q2) is not { } t) continue;
                double norm = Norm(t);
                if (norm <= 0) continue;
                var (rho2, at) = Peak(t, norm, lo, hi);
                if (rho2 > best.Rho2) best = new Fit(rho2, t, norm, at, m2, q2);
            }
        }
        return best;
    }

    private static readonly (double, double)[] Moves = [(1, 0), (-1, 0), (0, 1), (0, -1)];

    /// <summary>The whitened data's power per bin in the band (median |D|^2 / ln 2: robust to the transient itself).</summary>
    private double NoisePower()
    {
        var p = new List<double>(_gain.Length);
        for (int k = 1; k < _gain.Length; k++)
            if (_gain[k] > 0) p.Add(_dRe[k] * _dRe[k] + _dIm[k] * _dIm[k]);
        if (p.Count == 0) return 0;
        var a = p.ToArray();
        return Selection.Median(a) / Math.Log(2);
    }

    /// <summary>
    /// max over grid samples [lo, hi) (every second sample of the segment) of |z|^2 / norm, z(t) = sum_k D_k conj(g_k h_k)
    /// e^{2 pi i k t / N}: z has no negative frequencies and its bins k &lt; N / 2, so at even t = 2m it is the length-N/2
    /// inverse transform of the same bins, e^{2 pi i k m / (N / 2)}.
    /// </summary>
    private (double Rho2, int At) Peak(CbcBank.Template t, double norm, int lo, int hi)
    {
        Array.Clear(_zRe);
        Array.Clear(_zIm);
        for (int i = 0; i < t.Re.Length; i++)
        {
            int k = t.K0 + i;
            if (k >= _m) break;
            double g = _gain[k];
            double hr = g * t.Re[i], hi2 = g * t.Im[i];
            // D conj(h)
            _zRe[k] = _dRe[k] * hr + _dIm[k] * hi2;
            _zIm[k] = _dIm[k] * hr - _dRe[k] * hi2;
        }
        var (rr, ri) = _fft.Transform(_zRe, _zIm);
        double best = -1;
        int at = lo;
        for (int i = lo; i < hi; i++)
        {
            double v = rr[i] * rr[i] + ri[i] * ri[i];
            if (v > best) { best = v; at = i; }
        }
        return (best / norm, 2 * at);
    }

    /// <summary>|z| at segment sample t (fractional allowed), by a direct sum over the template's bins.</summary>
    private Complex ZAt(CbcBank.Template t, double sample, int k0, int k1)
    {
        double sr = 0, si = 0;
        double w = 2 * Math.PI * sample / _bank.N;
        for (int k = Math.Max(k0, t.K0); k < Math.Min(k1, t.K0 + t.Re.Length); k++)
        {
            int i = k - t.K0;
            double g = _gain[k];
            double hr = g * t.Re[i], hi2 = g * t.Im[i];
            double qr = _dRe[k] * hr + _dIm[k] * hi2, qi = _dIm[k] * hr - _dRe[k] * hi2;
            double c = Math.Cos(w * k), s = Math.Sin(w * k);
            sr += qr * c - qi * s;
            si += qr * s + qi * c;
        }
        return new Complex(sr, si);
    }

    private double RefinePeak(CbcBank.Template t, double norm, int at)
    {
        int k1 = t.K0 + t.Re.Length;
        double em = ZAt(t, at - 1, t.K0, k1).Magnitude, e0 = ZAt(t, at, t.K0, k1).Magnitude, ep = ZAt(t, at + 1, t.K0, k1).Magnitude;
        double curvature = em - 2 * e0 + ep;
        if (!(curvature < 0)) return at;
        double d = 0.5 * (em - ep) / curvature;
        return at + Math.Clamp(d, -1, 1);
    }

    /// <summary>
    /// The SNR at t and Allen's chi-square: p bands of equal template power, chi^2 = p sum_i |rho_i - rho / p|^2,
    /// rho_i the complex SNR band i contributes (unit-variance quadratures: one quadrature of z has variance
    /// power / 2 x norm).
    /// </summary>
    private (double Rho, double Chi2) ChiSquare(CbcBank.Template t, double norm, double sample, double power, int p)
    {
        double scale = 1 / Math.Sqrt(power / 2 * norm);
        var edges = new List<int> { t.K0 };
        double acc = 0, target = norm / p;
        for (int i = 0; i < t.Re.Length && edges.Count < p; i++)
        {
            double g = _gain[t.K0 + i];
            acc += g * g * ((double)t.Re[i] * t.Re[i] + (double)t.Im[i] * t.Im[i]);
            if (acc >= target * edges.Count) edges.Add(t.K0 + i + 1);
        }
        edges.Add(t.K0 + t.Re.Length);
        var parts = new Complex[edges.Count - 1];
        Complex total = Complex.Zero;
        for (int b = 0; b < parts.Length; b++) { parts[b] = ZAt(t, sample, edges[b], edges[b + 1]) * scale; total += parts[b]; }
        double chi2 = 0;
        foreach (var part in parts) chi2 += (part - total / parts.Length).Magnitude * (part - total / parts.Length).Magnitude;
        return (total.Magnitude, chi2 * parts.Length);
    }
}
