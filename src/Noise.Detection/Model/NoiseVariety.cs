using System.Numerics;
using Noise.Core;
using Noise.Simulation.Transients;

namespace Noise.Detection.Model;

/// <summary>
/// Domain randomisation of the training noise, drawn per stretch so no single curve or line pattern can be learnt
/// as "no glitch": real strain has a measured curve of its own, a forest of lines that wander and beat (Virgo O2:
/// hundreds between 300 and 1000 Hz), and a level that is never quite constant, none of which one scenario shows.
/// Each stretch is drawn on one of several noise curves, gets a random line forest with probability
/// <see cref="ForestProbability"/>, and a slow gain envelope with probability <see cref="EnvelopeProbability"/>.
/// A pure function of (seed, stretch index): training stays reproducible.
/// </summary>
public sealed record NoiseVariety
{
    /// <summary>Curves a stretch may be drawn on besides the scenario's own (each equally likely).</summary>
    public IReadOnlyList<PsdSpec> Curves { get; init; } = [];
    public double ForestProbability { get; init; } = 0.7;
    /// <summary>Lines per forest: uniform on [1, MaxLines].</summary>
    public int MaxLines { get; init; } = 150;
    /// <summary>Line peak over the local noise PSD in a 4 s Welch estimate: log-uniform on this range.</summary>
    public ParamRange LineRatio { get; init; } = new(2, 300);
    public ParamRange ForestBand { get; init; } = new(15, 1000);
    public double EnvelopeProbability { get; init; } = 0.5;
    /// <summary>Largest depth of the gain envelope 1 + m sin(2 pi t / T + phi).</summary>
    public double MaxEnvelopeDepth { get; init; } = 0.15;
    /// <summary>
    /// Probability that a stretch breathes in 1-3 bands of its own: the ASD in a band (lower edge log-uniform on
    /// <see cref="BreathingBand"/>, 1.5-5 times as wide) times 1 + m sin(2 pi t / T + phi), m up to
    /// <see cref="MaxBreathingDepth"/>, T log-uniform 4-300 s. Real Virgo O2 strain breathes by 37 % at 10-30 Hz and
    /// 18 % at 100-300 Hz within a minute (the calibrated O2 scenario); the scenarios' own breathing runs over hours,
    /// and a model that never saw a band swell within a window takes the swell for a glitch. 0 turns it off.
    /// </summary>
    public double BreathingProbability { get; init; }
    public double MaxBreathingDepth { get; init; } = 0.5;
    public ParamRange BreathingBand { get; init; } = new(10, 1500);

    /// <summary>What model.json records.</summary>
    public string Describe() =>
        $"per stretch: one of {Curves.Count + 1} noise curves (the scenario's, {string.Join(", ", Curves.Select(c => Path.GetFileName(c.File ?? c.Model ?? "")))}); " +
        $"with probability {ForestProbability} a forest of 1-{MaxLines} lines in {ForestBand.Min}-{ForestBand.Max} Hz, {LineRatio.Min}-{LineRatio.Max}x the local PSD, amplitude beating (0-90 %, 0.5-30 s) and frequency wander (0.001-0.5 Hz, 1-60 s); " +
        $"with probability {EnvelopeProbability} a gain envelope of depth up to {MaxEnvelopeDepth} (period 4-60 s)" +
        (BreathingProbability > 0 ? $"; with probability {BreathingProbability} breathing in 1-3 bands from {BreathingBand.Min}-{BreathingBand.Max} Hz (1.5-5x wide), depth up to {MaxBreathingDepth}, period 4-300 s" : "");

    /// <summary>Which curve stretch <paramref name="index"/> is drawn on: 0 the scenario's, k the k-th of <see cref="Curves"/>.</summary>
    public int CurveOf(long seed, long index) => (int)(Rng(seed, index, 1).NextUniform() * (Curves.Count + 1)) % (Curves.Count + 1);

    /// <summary>Adds the stretch's line forest and gain envelope to noise <paramref name="x"/> (samples from <paramref name="first"/> at fs).</summary>
    public void Apply(double[] x, long first, int fs, PsdCurve psd, long seed, long index)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(psd);
        var rng = Rng(seed, index, 2);
        if (rng.NextUniform() < EnvelopeProbability)
        {
            double m = rng.Uniform(0, MaxEnvelopeDepth), w = 2 * Math.PI / LogUniform(rng, 4, 60) / fs, phi = rng.Uniform(0, 2 * Math.PI);
            for (int i = 0; i < x.Length; i++) x[i] *= 1 + m * Math.Sin(w * (first + i) + phi);
        }
        Breathe(x, first, fs, seed, index);
        if (rng.NextUniform() >= ForestProbability) return;
        int lines = 1 + (int)(rng.NextUniform() * MaxLines);
        // lines cluster as real forests do (violin-mode families, bands of lines 300-1000 Hz): a few centres, each
        // with lines spread over tens of Hz, and the rest anywhere in the band
        int clusters = 1 + (int)(rng.NextUniform() * 4);
        var centres = Enumerable.Range(0, clusters).Select(_ => (F: LogUniform(rng, ForestBand.Min, ForestBand.Max), W: LogUniform(rng, 5, 150))).ToArray();
        double hi = Math.Min(ForestBand.Max, 0.45 * fs);
        for (int l = 0; l < lines; l++)
        {
            double f;
            if (rng.NextUniform() < 0.7) { var c = centres[l % clusters]; f = c.F + rng.Uniform(-c.W / 2, c.W / 2); }
            else f = LogUniform(rng, ForestBand.Min, ForestBand.Max);
            if (f < ForestBand.Min || f > hi) continue;
            // peak of a Hann-windowed 4 s Welch PSD of a sinusoid of amplitude A: A^2 T / 3 (equivalent noise bandwidth
            // 1.5/T); beating by 1 + b sin(...) raises its mean power by 1 + b^2/2, taken out so the ratio is the mean's
            double ratio = LogUniform(rng, LineRatio.Min, LineRatio.Max);
            double beat = rng.Uniform(0, 0.9), wBeat = 2 * Math.PI / LogUniform(rng, 0.5, 30) / fs, pBeat = rng.Uniform(0, 2 * Math.PI);
            double amp = Math.Sqrt(3 * ratio * psd.At(f) / 4 / (1 + beat * beat / 2));
            double df = LogUniform(rng, 0.001, 0.5), wWander = 2 * Math.PI / LogUniform(rng, 1, 60) / fs, pWander = rng.Uniform(0, 2 * Math.PI);
            // the phase integrates the wandering frequency f(t) = f + df sin(wWander t + pWander). Beat and wander
            // change over half a second or more, so both are held for a block of 32 samples (16 ms at 2 kHz) and
            // the carrier is a rotating phasor, renormalised each block: a forest costs a few flops a sample per line
            double phase = rng.Uniform(0, 2 * Math.PI), w0 = 2 * Math.PI * f / fs, wd = 2 * Math.PI * df / fs;
            double re = Math.Cos(phase), im = Math.Sin(phase);
            for (int b = 0; b < x.Length; b += Block)
            {
                long s = first + b;
                double step = w0 + wd * Math.Sin(wWander * s + pWander), a = amp * (1 + beat * Math.Sin(wBeat * s + pBeat));
                double c = Math.Cos(step), sn = Math.Sin(step), norm = 1 / Math.Sqrt(re * re + im * im);
                re *= norm;
                im *= norm;
                int end = Math.Min(x.Length, b + Block);
                for (int i = b; i < end; i++)
                {
                    x[i] += a * im;
                    double r2 = re * c - im * sn;
                    im = re * sn + im * c;
                    re = r2;
                }
            }
        }
    }

    private const int Block = 32;

    /// <summary>Band breathing (<see cref="BreathingProbability"/>): x += m(t) x_band, x_band the band's share of x, so the band's ASD goes as 1 + m(t).</summary>
    private void Breathe(double[] x, long first, int fs, long seed, long index)
    {
        if (BreathingProbability <= 0) return;
        // its own stream: the curve, envelope and forest drawn for a stretch stay what they were without it
        var rng = Rng(seed, index, 3);
        if (rng.NextUniform() >= BreathingProbability) return;
        int count = 1 + (int)(rng.NextUniform() * 3);
        var bands = new List<(double Lo, double Hi, double Depth, double Period, double Phase)>();
        for (int b = 0; b < count; b++)
        {
            double lo = LogUniform(rng, BreathingBand.Min, BreathingBand.Max), hi = Math.Min(lo * rng.Uniform(1.5, 5), 0.45 * fs);
            double m = rng.Uniform(0, MaxBreathingDepth), period = LogUniform(rng, 4, 300), phi = rng.Uniform(0, 2 * Math.PI);
            if (hi > lo) bands.Add((lo, hi, m, period, phi));
        }
        BreatheBands(x, first, fs, bands);
    }

    /// <summary>
    /// x += sum over bands of m sin(2 pi t / T + phi) x_band(t), x_band the part of x in [Lo, Hi] (one rfft of x,
    /// one inverse per band), t = (first + i) / fs: each band's ASD goes as 1 + m(t), the rest of x is untouched.
    /// </summary>
    public static void BreatheBands(double[] x, long first, int fs, IReadOnlyList<(double Lo, double Hi, double Depth, double Period, double Phase)> bands)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(bands);
        if (bands.Count == 0) return;
        int n = x.Length, nfft = (int)BitOperations.RoundUpToPowerOf2((uint)n);
        var buf = new double[nfft];
        x.CopyTo(buf, 0);
        var re = new double[nfft / 2 + 1];
        var im = new double[nfft / 2 + 1];
        var fft = RealFft<double>.ForThread(nfft);
        fft.Forward(buf, re, im);
        var bre = new double[re.Length];
        var bim = new double[im.Length];
        var band = new double[nfft];
        var add = new double[n];
        foreach (var (lo, hi, m, period, phi) in bands)
        {
            Array.Clear(bre);
            Array.Clear(bim);
            int k0 = (int)Math.Ceiling(lo * nfft / fs), k1 = Math.Min(nfft / 2, (int)Math.Floor(hi * nfft / fs));
            for (int k = k0; k <= k1; k++) { bre[k] = re[k]; bim[k] = im[k]; }
            fft.Inverse(bre, bim, band);
            // the inverse is unnormalised (nfft times the signal)
            double w = 2 * Math.PI / period / fs;
            for (int i = 0; i < n; i++) add[i] += m * Math.Sin(w * (first + i) + phi) * band[i] / nfft;
        }
        for (int i = 0; i < n; i++) x[i] += add[i];
    }

    private static CounterRng Rng(long seed, long index, uint what) => new(seed, 0x5A71u, (uint)index, what);

    private static double LogUniform(CounterRng rng, double lo, double hi) => Math.Exp(rng.Uniform(Math.Log(lo), Math.Log(hi)));
}
