using System.Runtime.CompilerServices;

namespace Noise.Simulation.Transients;

/// <summary>Waveform shapes the transient kernel can draw. A glitch is one or more atoms.</summary>
public enum AtomShape
{
    /// <summary>exp(-(t/tau)^2) sin(2 pi f t + phi)</summary>
    SineGaussian = 0,
    /// <summary>exp(-(t/tau)^2)</summary>
    Gaussian = 1,
    /// <summary>exp(-t/tau) sin(2 pi f t + phi) for t >= 0, with a Gaussian onset of one period before</summary>
    RingDown = 2,
    /// <summary>Gaussian envelope (tau) times a V-shaped sweep f(t) = f + k|t| (k in Param)</summary>
    VChirp = 3,
    /// <summary>scattered-light fringe sin((f / fm) sin(2 pi fm t) + phi) under a cos^2 window of half-width 1/(4 fm) (fm in Param)</summary>
    Fringe = 4,
    /// <summary>
    /// a waveform that has no closed form (compact-binary coalescences: <see cref="ImrPhenomA"/>, from its start
    /// frequency in Frequency, component masses in Param and Param2): the population renders it once on the host
    /// and adds those samples (PlacedEvent.Samples), on the CPU as on CUDA; <see cref="TransientAtom.Evaluate"/> gives 0
    /// </summary>
    Sampled = 5,
}

/// <summary>
/// One waveform atom placed in absolute sample time. Public with public fields: ILGPU kernel parameters.
/// The reference time is sample <see cref="CenterSample"/> plus <see cref="CenterFraction"/> of a sample.
/// </summary>
public struct TransientAtom
{
    public long CenterSample;
    public float CenterFraction;
    /// <summary>First sample of the support and one past the last: outside it the atom is zero.</summary>
    public long FirstSample, EndSample;
    public int Shape;
    public float Amplitude, Frequency, Tau, Phase, Param, Param2;

    /// <summary>The atom's value at time t (seconds from its reference time). Shared by host and kernels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Evaluate(TransientAtom a, float t)
    {
        const float TwoPi = 6.28318530717958647692f;
        switch (a.Shape)
        {
            case 0:
            {
                float x = t / a.Tau;
                return a.Amplitude * MathF.Exp(-x * x) * MathF.Sin(TwoPi * a.Frequency * t + a.Phase);
            }
            case 1:
            {
                float x = t / a.Tau;
                return a.Amplitude * MathF.Exp(-x * x);
            }
            case 2:
            {
                float env;
                if (t >= 0) env = MathF.Exp(-t / a.Tau);
                else { float x = t * a.Frequency * 2f; env = MathF.Exp(-x * x); }
                return a.Amplitude * env * MathF.Sin(TwoPi * a.Frequency * t + a.Phase);
            }
            case 3:
            {
                float x = t / a.Tau;
                float at = t >= 0 ? t : -t;
                return a.Amplitude * MathF.Exp(-x * x) * MathF.Sin(TwoPi * (a.Frequency * t + 0.5f * a.Param * t * at) + a.Phase);
            }
            case 5:
                return 0f;   // Sampled: its samples are added as such
            default:
            {
                float halfWidth = 0.25f / a.Param;
                float at = t >= 0 ? t : -t;
                if (at >= halfWidth) return 0f;
                float w = MathF.Cos(0.5f * TwoPi * 0.5f * t / halfWidth);
                return a.Amplitude * w * w * MathF.Sin(a.Frequency / a.Param * MathF.Sin(TwoPi * a.Param * t) + a.Phase);
            }
        }
    }
}
