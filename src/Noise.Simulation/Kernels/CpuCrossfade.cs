using System.Runtime.Intrinsics;

namespace Noise.Simulation.Kernels;

/// <summary>
/// The CPU accelerator's cross-fade and tail carry: <see cref="NoiseKernels.Crossfade"/> and
/// <see cref="NoiseKernels.CarryTail"/> as plain loops. The kernel pays an integer division per output sample and
/// ILGPU's CPU dispatch (measured 0.28 s for 1024 s at 16384 Hz, as much as the inverse FFT); here the stride past
/// the overlap is a block copy and the overlap is fadeIn[L-1-j] * prev + fadeIn[j] * cur, multiplied and added as
/// the kernel does (no fused multiply-add), eight samples per vector: the same bits (tests hold the whole engine
/// equal both ways). Using these, the CPU path compiles no ILGPU kernel at all.
/// </summary>
public static unsafe class CpuCrossfade
{
    private const int Lanes = 8;

    /// <summary>output[b S + j] for b in [0, segments): segment b + 1 of <paramref name="time"/>, its first L samples faded in over the tail of segment b.</summary>
    public static void Run(float* time, float* fadeIn, float* output, int segmentLength, int overlap, int segments, int threads)
    {
        int stride = segmentLength - overlap;
        int parts = Math.Max(1, Math.Min(threads, segments));
        nint t = (nint)time, f = (nint)fadeIn, o = (nint)output;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int b0 = (int)((long)segments * part / parts), b1 = (int)((long)segments * (part + 1) / parts);
            for (int b = b0; b < b1; b++)
                Segment((float*)t, (float*)f, (float*)o + (long)b * stride, (long)b * segmentLength, segmentLength, overlap);
        });
    }

    private static void Segment(float* time, float* fadeIn, float* dst, long prevStart, int segmentLength, int overlap)
    {
        int stride = segmentLength - overlap;
        float* cur = time + prevStart + segmentLength;
        float* prev = time + prevStart + stride;
        int j = 0;
        for (; j + Lanes <= overlap; j += Lanes)
        {
            // fadeIn[L-1-j-l] for l = 0..7: the eight weights before L-1-j, reversed
            var down = Vector256.Shuffle(Vector256.Load(fadeIn + overlap - Lanes - j), Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0));
            var v = down * Vector256.Load(prev + j) + Vector256.Load(fadeIn + j) * Vector256.Load(cur + j);
            v.Store(dst + j);
        }
        for (; j < overlap; j++) dst[j] = fadeIn[overlap - 1 - j] * prev[j] + fadeIn[j] * cur[j];
        Buffer.MemoryCopy(cur + overlap, dst + overlap, (long)(stride - overlap) * sizeof(float), (long)(stride - overlap) * sizeof(float));
    }

    /// <summary>Slot 0's last L samples := slot <paramref name="fromSlot"/>'s: the next block's first segment fades in over them.</summary>
    public static void CarryTail(float* time, int fromSlot, int segmentLength, int overlap)
    {
        int start = segmentLength - overlap;
        Buffer.MemoryCopy(time + (long)fromSlot * segmentLength + start, time + start, (long)overlap * sizeof(float), (long)overlap * sizeof(float));
    }
}
