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
    /// compact-binary coalescence, t = 0 at the end of the inspiral: the leading-order (Newtonian) inspiral, tau = -t,
    /// amplitude ~ tau^-1/4, phase -2 (tau / (5 Mc))^(5/8) + phi with Mc = G M_chirp / c^3 in seconds (Param), from
    /// tau = Tau (the start frequency, tapered on 10 % of its length) down to tau = Param2, where its frequency has
    /// reached the final black hole's ringdown frequency (Frequency); from there a ringdown at that frequency
    /// (e-folding time <see cref="RingdownCycles"/> / (pi f)), continuous in amplitude, phase and frequency
    /// </summary>
    Chirp = 5,
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

    /// <summary>
    /// Quality factor Q = pi f tau of the chirp's ringdown: 3.2, the l = m = 2 mode of the black hole left by
    /// equal, non-spinning masses (final spin ~0.69).
    /// </summary>
    public const float RingdownCycles = 3.2f;

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
            {
                float tau = -t;
                if (tau >= a.Tau) return 0f;
                if (tau <= a.Param2)
                {
                    // ringdown from the joint: amplitude and phase of the inspiral there, its frequency
                    float since = a.Param2 - tau;
                    float joint = -2f * MathF.Pow(a.Param2 / (5f * a.Param), 0.625f) + a.Phase;
                    float decay = 3.14159265358979f * a.Frequency / RingdownCycles;
                    return a.Amplitude * MathF.Pow(a.Param2, -0.25f) * MathF.Exp(-since * decay) * MathF.Cos(joint + TwoPi * a.Frequency * since);
                }
                float w = 1f;
                float startTaper = 0.9f * a.Tau;
                if (tau > startTaper) w = 0.5f + 0.5f * MathF.Cos(3.14159265358979f * (tau - startTaper) / (0.1f * a.Tau));
                float x = tau / (5f * a.Param);
                float phase = -2f * MathF.Pow(x, 0.625f) + a.Phase;
                return a.Amplitude * w * MathF.Pow(tau, -0.25f) * MathF.Cos(phase);
            }
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
