using System.Runtime.CompilerServices;

namespace Noise.Simulation.Kernels;

/// <summary>
/// Philox4x32-10 (Salmon et al., SC'11), a counter-based generator: the output is a pure function of a
/// 128-bit counter and a 64-bit key, so every sample's random numbers are fixed by (seed, channel, position)
/// and do not depend on how work is split into blocks, threads, shards or on CPU versus GPU.
/// Uses only integer arithmetic, so ILGPU compiles it for every backend and all give the same bits.
/// </summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
    private const uint W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Generate(
        uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
        out uint r0, out uint r1, out uint r2, out uint r3)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0;
            uint hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        r0 = c0; r1 = c1; r2 = c2; r3 = c3;
    }
}
