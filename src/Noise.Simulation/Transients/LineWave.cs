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
