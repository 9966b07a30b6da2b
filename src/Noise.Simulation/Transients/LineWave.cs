using System.Runtime.CompilerServices;
using Noise.Core;

namespace Noise.Simulation.Transients;

/// <summary>
/// One spectral line (a harmonic of a <see cref="LineSpec"/>) as the line kernel draws it. Its phase is a
/// closed-form function of the absolute sample index k (so every block, shard and backend agrees):
/// cycles(k) = frac(k f/fs + phi0) - (df P / 2 pi) cos(2 pi k / (P fs) + theta_f), frequency f + df sin(...),
/// amplitude A (1 + da sin(2 pi k / (Pa fs) + theta_a)).
/// </summary>
public struct LineWave
{
    public double CyclesPerSample;      // f / fs
    public double Phase0;               // cycles
    public double FrequencyWander;      // Hz (peak)
    public double FrequencyPeriod;      // samples
    public double FrequencyTheta;       // rad
    public double AmplitudeWander;      // fraction (peak)
    public double AmplitudePeriod;      // samples
    public double AmplitudeTheta;       // rad
    public double Amplitude;            // peak strain
    public double SampleRate;

    /// <summary>
    /// The line's state at absolute sample k0, computed exactly in double: its phase there (radians, one turn),
    /// its phase step per sample (the wandering frequency at k0, held over a chunk), and its amplitude. Shared by
    /// the ILGPU kernel and the CPU path, so both start every chunk from the same numbers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StateAt(LineWave w, long k0, out double angle, out double step, out double amplitude)
    {
        const double TwoPi = 6.283185307179586;
        double base_ = k0 * w.CyclesPerSample + w.Phase0;
        double cycles = base_ - Math.Floor(base_);
        // Wander phases are reduced to one turn before the trig: k0 is an absolute sample index (~1e13), and
        // ILGPU's CUDA double sin/cos reduce large arguments slowly (measured: lines 600x slower on an H100).
        double fArg = TwoPi * Fraction(k0 / w.FrequencyPeriod + w.FrequencyTheta / TwoPi);
        cycles -= w.FrequencyWander * (w.FrequencyPeriod / w.SampleRate) / TwoPi * Math.Cos(fArg);
        double dCycles = w.CyclesPerSample + w.FrequencyWander * Math.Sin(fArg) / w.SampleRate;
        angle = TwoPi * (cycles - Math.Floor(cycles));
        step = TwoPi * dCycles;
        amplitude = w.Amplitude * (1 + w.AmplitudeWander * Math.Sin(TwoPi * Fraction(k0 / w.AmplitudePeriod + w.AmplitudeTheta / TwoPi)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Fraction(double x) => x - Math.Floor(x);

    /// <summary>The scenario's lines, harmonics expanded, wander periods and phases drawn from the seed.</summary>
    public static LineWave[] Build(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var list = new List<LineWave>();
        int fs = scenario.SampleRate;
        for (int l = 0; l < scenario.Lines.Count; l++)
        {
            var spec = scenario.Lines[l];
            for (int h = 1; h <= spec.Harmonics; h++)
            {
                var rng = new CounterRng(scenario.Seed, 0x11E5u, (uint)l, (uint)h);
                list.Add(new LineWave
                {
                    CyclesPerSample = spec.Frequency * h / fs,
                    Phase0 = rng.NextUniform(),
                    FrequencyWander = spec.FrequencyWander * h,
                    FrequencyPeriod = rng.Uniform(100, 1000) * fs,
                    FrequencyTheta = rng.Uniform(0, 2 * Math.PI),
                    AmplitudeWander = spec.AmplitudeWander,
                    AmplitudePeriod = rng.Uniform(100, 1000) * fs,
                    AmplitudeTheta = rng.Uniform(0, 2 * Math.PI),
                    Amplitude = spec.Amplitude * Math.Pow(spec.HarmonicRatio, h - 1),
                    SampleRate = fs,
                });
            }
        }
        // the kernel draws lines eight at a time: pad with silent ones
        while (list.Count % 8 != 0) list.Add(new LineWave { CyclesPerSample = 0, FrequencyPeriod = 1, AmplitudePeriod = 1, SampleRate = fs });
        return list.ToArray();
    }
}
