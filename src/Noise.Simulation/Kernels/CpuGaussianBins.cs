using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Noise.Simulation.Kernels;

/// <summary>
/// The CPU accelerator's Gaussian bins: <see cref="NoiseKernels.GaussianBins"/> with eight bin pairs of a segment
/// per AVX2 vector. Philox4x32-10 is integer arithmetic (32 x 32 -> 64-bit products of the even and odd lanes,
/// recombined), and <see cref="GaussianMath"/>'s Box-Muller is plain float arithmetic in a fixed order (its
/// polynomial log and sin/cos, an IEEE square root, no fused multiply-add), so each lane does exactly what the
/// kernel does for its item and the bins are bit-identical to the kernel's (a test holds them equal). Pairs left
/// over at a segment's end go through the kernel's own scalar code.
/// </summary>
public static unsafe class CpuGaussianBins
{
    private const int Lanes = 8;
    private const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    private const float Ln2 = 0.693147180559945309f, Sqrt2 = 1.41421356237309505f, InvSqrt2 = 0.707106781186547524f;
    private const float QuarterPi = 0.785398163397448310f, InvTwo22 = 1.0f / 4194304.0f;

    /// <summary>Whether this CPU runs the vector path (AVX2); otherwise the caller launches the kernel.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>Fills bins for p.Segments segments from slot p.FirstSlot, as the kernel does; p.Stride and p.Contiguous are ignored.</summary>
    public static void Fill(BinQuad* bins, AmpPair* amplitude, float* gains, BinParams p, int threads)
    {
        if (!IsSupported) throw new PlatformNotSupportedException("CpuGaussianBins needs AVX2");
        int pairs = p.Half / 2 + 1;
        long total = (long)pairs * p.Segments;
        // contiguous runs of whole vectors per thread; each item is computed alone, so the split never changes a bit
        int parts = (int)Math.Max(1, Math.Min(threads, total / (64 * Lanes)));
        nint b = (nint)bins, a = (nint)amplitude, g = (nint)gains;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int s0 = (int)((long)p.Segments * part / parts), s1 = (int)((long)p.Segments * (part + 1) / parts);
            for (int s = s0; s < s1; s++) Segment((BinQuad*)b, (AmpPair*)a, (float*)g, p, s, pairs);
        });
    }

    private static void Segment(BinQuad* bins, AmpPair* amplitude, float* gains, BinParams p, int b, int pairs)
    {
        long seg = p.FirstSegment + b;
        var c1 = Vector256.Create((uint)seg);
        var c2 = Vector256.Create((uint)(seg >> 32));
        var c3 = Vector256.Create(p.Channel);
        var laneIndex = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        BinQuad* row = bins + (long)(p.FirstSlot + b) * pairs;
        int gi = (p.FirstSlot + b) * 4;
        float* g0 = stackalloc float[Lanes], g1 = stackalloc float[Lanes], g2 = stackalloc float[Lanes], g3 = stackalloc float[Lanes];
        float* a0 = stackalloc float[Lanes], a1 = stackalloc float[Lanes];
        int pair = 0;
        for (; pair + Lanes <= pairs; pair += Lanes)
        {
            var c0 = Vector256.Create((uint)pair) + laneIndex;
            Generate(c0, c1, c2, c3, p.Key0, p.Key1, out var r0, out var r1, out var r2, out var r3);
            BoxMuller(r0, r1, out var n0, out var n1);
            BoxMuller(r2, r3, out var n2, out var n3);
            n0.Store(g0);
            n1.Store(g1);
            n2.Store(g2);
            n3.Store(g3);
            for (int l = 0; l < Lanes; l++)
            {
                AmpPair amp = amplitude[pair + l];
                a0[l] = amp.A0;
                a1[l] = amp.A1;
            }
            if (p.BandCount > 0)
            {
                var k0 = (Vector256.Create(pair) + laneIndex.AsInt32()) * 2;
                (Vector256.Load(a0) * BandGain(gains, gi, k0, p)).Store(a0);
                (Vector256.Load(a1) * BandGain(gains, gi, k0 + Vector256<int>.One, p)).Store(a1);
            }
            for (int l = 0; l < Lanes; l++)
            {
                BinQuad q;
                q.Re0 = g0[l] * a0[l];
                q.Im0 = g1[l] * a0[l];
                q.Re1 = g2[l] * a1[l];
                q.Im1 = g3[l] * a1[l];
                row[pair + l] = q;
            }
        }
        for (; pair < pairs; pair++) ScalarPair(row, amplitude, gains, p, gi, seg, pair);
    }

    /// <summary>One pair exactly as <see cref="NoiseKernels.GaussianBins"/> computes it.</summary>
    private static void ScalarPair(BinQuad* row, AmpPair* amplitude, float* gains, BinParams p, int gi, long seg, int pair)
    {
        Philox.Generate((uint)pair, (uint)seg, (uint)(seg >> 32), p.Channel, p.Key0, p.Key1, out uint r0, out uint r1, out uint r2, out uint r3);
        GaussianMath.BoxMuller(r0, r1, out float g0, out float g1);
        GaussianMath.BoxMuller(r2, r3, out float g2, out float g3);
        AmpPair a = amplitude[pair];
        if (p.BandCount > 0)
        {
            a.A0 *= ScalarBandGain(gains, gi, 2 * pair, p);
            a.A1 *= ScalarBandGain(gains, gi, 2 * pair + 1, p);
        }
        BinQuad q;
        q.Re0 = g0 * a.A0;
        q.Im0 = g1 * a.A0;
        q.Re1 = g2 * a.A1;
        q.Im1 = g3 * a.A1;
        row[pair] = q;
    }

    private static float ScalarBandGain(float* gains, int gi, int k, BinParams p)
    {
        float g = 1f;
        if (k >= p.BandLo0 && k < p.BandHi0) g *= gains[gi];
        if (p.BandCount > 1 && k >= p.BandLo1 && k < p.BandHi1) g *= gains[gi + 1];
        if (p.BandCount > 2 && k >= p.BandLo2 && k < p.BandHi2) g *= gains[gi + 2];
        if (p.BandCount > 3 && k >= p.BandLo3 && k < p.BandHi3) g *= gains[gi + 3];
        return g;
    }

    /// <summary>The kernel's band gain per lane: the product, in band order, of the gains of the bands holding bin k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BandGain(float* gains, int gi, Vector256<int> k, BinParams p)
    {
        var g = Vector256<float>.One;
        g = Times(g, k, p.BandLo0, p.BandHi0, gains[gi]);
        if (p.BandCount > 1) g = Times(g, k, p.BandLo1, p.BandHi1, gains[gi + 1]);
        if (p.BandCount > 2) g = Times(g, k, p.BandLo2, p.BandHi2, gains[gi + 2]);
        if (p.BandCount > 3) g = Times(g, k, p.BandLo3, p.BandHi3, gains[gi + 3]);
        return g;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Times(Vector256<float> g, Vector256<int> k, int lo, int hi, float gain)
    {
        var inside = Vector256.GreaterThanOrEqual(k, Vector256.Create(lo)) & Vector256.LessThan(k, Vector256.Create(hi));
        return Vector256.ConditionalSelect(inside.AsSingle(), g * gain, g);
    }

    /// <summary>Philox4x32-10 on eight counters at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Generate(Vector256<uint> c0, Vector256<uint> c1, Vector256<uint> c2, Vector256<uint> c3, uint key0, uint key1,
        out Vector256<uint> r0, out Vector256<uint> r1, out Vector256<uint> r2, out Vector256<uint> r3)
    {
        var m0 = Vector256.Create(M0);
        var m1 = Vector256.Create(M1);
        uint k0 = key0, k1 = key1;
        for (int round = 0; round < 10; round++)
        {
            MulHiLo(m0, c0, out var hi0, out var lo0);
            MulHiLo(m1, c2, out var hi1, out var lo1);
            var n0 = hi1 ^ c1 ^ Vector256.Create(k0);
            var n2 = hi0 ^ c3 ^ Vector256.Create(k1);
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        r0 = c0; r1 = c1; r2 = c2; r3 = c3;
    }

    /// <summary>The high and low 32 bits of each lane's 64-bit product: even lanes and odd lanes multiplied apart, then interleaved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulHiLo(Vector256<uint> m, Vector256<uint> c, out Vector256<uint> hi, out Vector256<uint> lo)
    {
        var even = Avx2.Multiply(m, c);
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(m.AsUInt64(), 32).AsUInt32(), Avx2.ShiftRightLogical(c.AsUInt64(), 32).AsUInt32());
        lo = Avx2.Blend(even.AsUInt32(), Avx2.ShiftLeftLogical(odd, 32).AsUInt32(), 0b10101010);
        hi = Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), 0b10101010);
    }

    /// <summary><see cref="GaussianMath.BoxMuller"/> per lane, the same operations in the same order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BoxMuller(Vector256<uint> a, Vector256<uint> b, out Vector256<float> g0, out Vector256<float> g1)
    {
        var radius = Vector256.Sqrt(MinusTwoLogUnit(Vector256.ShiftRightLogical(a, 8) + Vector256<uint>.One));
        SinCosTurn(Vector256.ShiftRightLogical(b, 8), out var s, out var c);
        g0 = radius * c;
        g1 = radius * s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MinusTwoLogUnit(Vector256<uint> v)
    {
        var bits = Vector256.ConvertToSingle(v.AsInt32()).AsUInt32();     // exact: v < 2^25
        var e = (Vector256.ShiftRightLogical(bits, 23).AsInt32()) - Vector256.Create(127);
        var m = ((bits & Vector256.Create(0x7FFFFFu)) | Vector256.Create(0x3F800000u)).AsSingle();
        var big = Vector256.GreaterThan(m, Vector256.Create(Sqrt2));
        m = Vector256.ConditionalSelect(big, m * 0.5f, m);
        e -= big.AsInt32();                                                  // the mask is -1 where it holds
        var s = (m - Vector256<float>.One) / (m + Vector256<float>.One);
        var s2 = s * s;
        var lnM = Vector256.Create(2f) * s * (Vector256<float>.One + s2 * (Vector256.Create(1f / 3f) + s2 * (Vector256.Create(1f / 5f) + s2 * (Vector256.Create(1f / 7f) + s2 * Vector256.Create(1f / 9f)))));
        return Vector256.Create(-2f) * (Vector256.ConvertToSingle(e - Vector256.Create(24)) * Ln2 + lnM);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SinCosTurn(Vector256<uint> w, out Vector256<float> sin, out Vector256<float> cos)
    {
        var quadrant = Vector256.ShiftRightLogical(w, 22);
        var x = Vector256.ConvertToSingle((w & Vector256.Create(0x3FFFFFu)).AsInt32()) * InvTwo22 * (2f * QuarterPi) - Vector256.Create(QuarterPi);
        var x2 = x * x;
        var one = Vector256<float>.One;
        var sx = x * (one - x2 * (Vector256.Create(1f / 6f) - x2 * (Vector256.Create(1f / 120f) - x2 * Vector256.Create(1f / 5040f))));
        var cx = one - x2 * (Vector256.Create(0.5f) - x2 * (Vector256.Create(1f / 24f) - x2 * (Vector256.Create(1f / 720f) - x2 * Vector256.Create(1f / 40320f))));
        var sq = (sx + cx) * InvSqrt2;
        var cq = (cx - sx) * InvSqrt2;
        var q1 = Vector256.Equals(quadrant, Vector256.Create(1u)).AsSingle();
        var q2 = Vector256.Equals(quadrant, Vector256.Create(2u)).AsSingle();
        var q3 = Vector256.Equals(quadrant, Vector256.Create(3u)).AsSingle();
        // quadrant 0: (sq, cq); 1: (cq, -sq); 2: (-sq, -cq); 3: (-cq, sq)
        sin = Vector256.ConditionalSelect(q1, cq, Vector256.ConditionalSelect(q2, -sq, Vector256.ConditionalSelect(q3, -cq, sq)));
        cos = Vector256.ConditionalSelect(q1, -sq, Vector256.ConditionalSelect(q2, -cq, Vector256.ConditionalSelect(q3, sq, cq)));
    }
}
