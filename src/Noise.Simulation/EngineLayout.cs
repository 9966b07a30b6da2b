using System.Numerics;

namespace Noise.Simulation;

/// <summary>
/// How the endless stream is cut into FFT segments: segment m covers N samples starting at absolute sample
/// m*S (S = N - L); its first L samples are cross-faded with the last L of segment m-1. N is the power of two
/// at or above 4 s of data (df <= 0.25 Hz, finer than the noise curves) and L = N/8 (0.5 s at 16384 Hz):
/// each sample costs 8/7 of an FFT sample and of a Gaussian draw instead of the 2 of a half-overlap scheme.
/// Changing these constants changes the bits, so they are part of the output's identity.
/// </summary>
public sealed record EngineLayout(int SegmentLength, int Overlap)
{
    public int Stride => SegmentLength - Overlap;
    public int Half => SegmentLength / 2;
    /// <summary>Floats per segment in the bin buffer: N/2+2 interleaved complex bins (one of padding).</summary>
    public int BinSlotFloats => SegmentLength + 4;

    public static EngineLayout For(int sampleRate)
    {
        int n = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, sampleRate * 4));
        return new EngineLayout(n, n / 8);
    }
}
