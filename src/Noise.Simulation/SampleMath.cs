namespace Noise.Simulation;

/// <summary>Integer arithmetic on absolute sample indices, which may be negative before GPS 0.</summary>
public static class SampleMath
{
    /// <summary>floor(a / b) for b &gt; 0.</summary>
    public static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>ceil(a / b) for b &gt; 0.</summary>
    public static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    /// <summary>
    /// The first sample at rate <paramref name="toRate"/> at or after sample <paramref name="sample"/> at rate
    /// <paramref name="fromRate"/>: how a strain range maps onto a witness channel's samples.
    /// </summary>
    public static long Rescale(long sample, int fromRate, int toRate) =>
        (long)CeilDivBig((System.Int128)sample * toRate, fromRate);

    private static System.Int128 CeilDivBig(System.Int128 a, long b)
    {
        var q = System.Int128.DivRem(a, b);
        return q.Remainder > 0 ? q.Quotient + 1 : q.Quotient;
    }
}
