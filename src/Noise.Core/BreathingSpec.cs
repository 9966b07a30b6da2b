namespace Noise.Core;

/// <summary>
/// Slow breathing of the noise level in a frequency band (the seismic band following the microseism, the
/// day-night anthropogenic cycle): the ASD in [Band.Min, Band.Max] is multiplied by 1 + Depth sin(2 pi t / Period
/// + phase), t in GPS seconds, phase drawn from the seed.
/// </summary>
public sealed record BreathingSpec
{
    public required string Name { get; init; }
    public required ParamRange Band { get; init; }
    public required double Depth { get; init; }
    public required double Period { get; init; }

    public const int MaxBands = 4;
}
