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

    /// <summary>What model.json records.</summary>
    public string Describe() =>
        $"per stretch: one of {Curves.Count + 1} noise curves (the scenario's, {string.Join(", ", Curves.Select(c => Path.GetFileName(c.File ?? c.Model ?? "")))}); " +
        $"with probability {ForestProbability} a forest of 1-{MaxLines} lines in {ForestBand.Min}-{ForestBand.Max} Hz, {LineRatio.Min}-{LineRatio.Max}x the local PSD, amplitude beating (0-90 %, 0.5-30 s) and frequency wander (0.001-0.5 Hz, 1-60 s); " +
        $"with probability {EnvelopeProbability} a gain envelope of depth up to {MaxEnvelopeDepth} (period 4-60 s)";

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

    private static CounterRng Rng(long seed, long index, uint what) => new(seed, 0x5A71u, (uint)index, what);

    private static double LogUniform(CounterRng rng, double lo, double hi) => Math.Exp(rng.Uniform(Math.Log(lo), Math.Log(hi)));
}
