using Noise.Core;

namespace Noise.Simulation.Transients;

/// <summary>
/// Turns a glitch class and a random stream into waveform atoms (relative amplitudes; the population scales
/// them to the drawn SNR). Morphologies follow FIELD_NOTES §2 and <see cref="GlitchFamilies.Describe"/>.
/// </summary>
public static class GlitchWaveforms
{
    private const double SqrtTwoPi = 4.442882938158366; // sqrt(2) * pi
    /// <summary>G M_sun / c^3 in seconds.</summary>
    public const double SolarMassSeconds = 4.925490947e-6;

    /// <summary>Atoms centred on t = 0 (times in seconds); Q is reported for the sine-Gaussian families, else NaN.</summary>
    public static (List<(double Offset, TransientAtom Atom)> Atoms, double Q) Draw(GlitchClassSpec spec, CounterRng rng)
    {
        var atoms = new List<(double, TransientAtom)>();
        double phase = rng.Uniform(0, 2 * Math.PI);
        double f = spec.Frequency.LogLerp(rng.NextUniform());
        double q = spec.Q.LogLerp(rng.NextUniform());
        double dur = spec.Duration.LogLerp(rng.NextUniform());
        switch (spec.Name)
        {
            case "Blip" or "Tomte" or "Low_Frequency_Burst" or "Extremely_Loud" or "Sine_Gaussian":
                atoms.Add((0, SineGaussian(f, q, phase, 1)));
                return (atoms, q);
            case "Power_Line":
            {
                double mains = 50 * Math.Max(1, Math.Round(f / 50));
                atoms.Add((0, SineGaussian(mains, q, phase, 1)));
                return (atoms, q);
            }
            case "Koi_Fish":
            {
                // broadband head and a long low-frequency body behind it
                atoms.Add((0, SineGaussian(f, q, phase, 1)));
                double fBody = rng.Uniform(30, 60);
                double tauBody = dur / 4;
                atoms.Add((tauBody, new TransientAtom { Shape = (int)AtomShape.SineGaussian, Amplitude = (float)rng.Uniform(0.04, 0.1), Frequency = (float)fBody, Tau = (float)tauBody, Phase = (float)rng.Uniform(0, 2 * Math.PI) }));
                return (atoms, q);
            }
            case "Whistle":
            {
                // V-shaped sweep from f up to ~3-6 f at the edges of the envelope
                double tau = dur / 4;
                double fEdge = f * rng.Uniform(3, 6);
                double k = (fEdge - f) / (2 * tau);
                atoms.Add((0, new TransientAtom { Shape = (int)AtomShape.VChirp, Amplitude = 1, Frequency = (float)f, Tau = (float)tau, Phase = (float)phase, Param = (float)k }));
                return (atoms, double.NaN);
            }
            case "Scattered_Light":
            {
                // surface moving with the ground, x(t) = X sin(2 pi fm t); arch length = half the motion period
                double fm = 1 / (2 * dur);
                for (int n = 1; n <= 3; n++)
                {
                    double amp = n == 1 ? 1 : rng.Uniform(0.1, 0.5) / (n - 1);
                    atoms.Add((0, new TransientAtom { Shape = (int)AtomShape.Fringe, Amplitude = (float)amp, Frequency = (float)(n * f), Phase = (float)rng.Uniform(0, 2 * Math.PI), Param = (float)fm, Tau = (float)dur }));
                }
                return (atoms, double.NaN);
            }
            case "Repeating_Blips":
            {
                int count = 3 + (int)(rng.NextUniform() * 4);
                double spacing = dur;
                for (int i = 0; i < count; i++)
                    atoms.Add((i * spacing, SineGaussian(f * rng.Uniform(0.8, 1.25), q, rng.Uniform(0, 2 * Math.PI), rng.Uniform(0.6, 1.0))));
                return (atoms, q);
            }
            case "CBC_Chirp":
            {
                // IMRPhenomA from the start frequency (Frequency's minimum): chirp mass log-uniform in ChirpMass, mass
                // ratio uniform in MassRatio (GWTC-1's binaries lie in 0.5-1; the model is fitted down to eta = 0.16)
                double mc = spec.ChirpMass.LogLerp(rng.NextUniform());
                double ratio = MassRatio.Lerp(rng.NextUniform());
                var (m1, m2) = ComponentMasses(mc, ratio);
                atoms.Add((0, new TransientAtom { Shape = (int)AtomShape.Sampled, Amplitude = 1, Frequency = (float)spec.Frequency.Min, Phase = (float)phase, Param = (float)m1, Param2 = (float)m2 }));
                return (atoms, double.NaN);
            }
            case "Gaussian":
                atoms.Add((0, new TransientAtom { Shape = (int)AtomShape.Gaussian, Amplitude = 1, Tau = (float)dur }));
                return (atoms, double.NaN);
            case "Ring_Down":
                atoms.Add((0, new TransientAtom { Shape = (int)AtomShape.RingDown, Amplitude = 1, Frequency = (float)f, Tau = (float)dur, Phase = (float)phase }));
                return (atoms, double.NaN);
            default:
                throw new NoiseInputException($"unknown glitch class '{spec.Name}'");
        }
    }

    private static TransientAtom SineGaussian(double f, double q, double phase, double amp) => new()
    {
        Shape = (int)AtomShape.SineGaussian,
        Amplitude = (float)amp,
        Frequency = (float)f,
        Tau = (float)(q / (SqrtTwoPi * f)),
        Phase = (float)phase,
    };

    /// <summary>Mass ratios m2/m1 of the injected binaries.</summary>
    public static readonly ParamRange MassRatio = new(0.4, 1);

    /// <summary>Component masses (m1 &gt;= m2) of chirp mass mc = (m1 m2)^3/5 / (m1 + m2)^1/5 and ratio q = m2/m1.</summary>
    public static (double M1, double M2) ComponentMasses(double mc, double q)
    {
        double m1 = mc * Math.Pow(1 + q, 0.2) / Math.Pow(q, 0.6);
        return (m1, q * m1);
    }

    /// <summary>Longest support before the peak of an injection of this spec (its lightest binaries, any ratio).</summary>
    public static double LongestChirpSeconds(GlitchClassSpec spec)
    {
        double longest = 0;
        foreach (double q in new[] { MassRatio.Min, 0.7, MassRatio.Max })
        {
            var (m1, m2) = ComponentMasses(spec.ChirpMass.Min, q);
            longest = Math.Max(longest, ImrPhenomA.SecondsBeforePeak(m1, m2, spec.Frequency.Min));
        }
        return longest;
    }

    /// <summary>
    /// The atom's support in seconds before and after its reference time (beyond it the atom is below 1e-7 of
    /// its peak, or exactly zero): chirps start long before and end with their ringdown, the other shapes are symmetric.
    /// </summary>
    public static (double Before, double After) Support(in TransientAtom a) => (AtomShape)a.Shape switch
    {
        AtomShape.SineGaussian or AtomShape.Gaussian or AtomShape.VChirp => (4.0 * a.Tau, 4.0 * a.Tau),
        AtomShape.RingDown => (16.0 * a.Tau, 16.0 * a.Tau),
        AtomShape.Sampled => (ImrPhenomA.SecondsBeforePeak(a.Param, a.Param2, a.Frequency), ImrPhenomA.SecondsAfterPeak(a.Param, a.Param2)),
        _ => (0.25 / a.Param, 0.25 / a.Param),
    };
}
