namespace Noise.Core;

/// <summary>
/// A family of spectral lines: a fundamental and its harmonics (mains at 50 Hz, violin modes near 450 Hz,
/// calibration lines), each a sinusoid whose frequency and amplitude wander slowly (sinusoidal modulations with
/// periods drawn from the seed between 100 and 1000 s).
/// </summary>
public sealed record LineSpec
{
    public required string Name { get; init; }
    /// <summary>Fundamental frequency in Hz.</summary>
    public required double Frequency { get; init; }
    /// <summary>Peak strain amplitude of the fundamental.</summary>
    public required double Amplitude { get; init; }
    /// <summary>Number of lines: the fundamental and Harmonics-1 harmonics.</summary>
    public int Harmonics { get; init; } = 1;
    /// <summary>Amplitude of harmonic n+1 relative to harmonic n.</summary>
    public double HarmonicRatio { get; init; } = 0.5;
    /// <summary>Peak frequency excursion of the fundamental in Hz (harmonic n wanders n times as much).</summary>
    public double FrequencyWander { get; init; }
    /// <summary>Peak fractional amplitude excursion.</summary>
    public double AmplitudeWander { get; init; }
}
