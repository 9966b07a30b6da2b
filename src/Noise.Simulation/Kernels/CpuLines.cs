using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Noise.Simulation.Transients;

namespace Noise.Simulation.Kernels;

/// <summary>
/// The CPU accelerator's spectral lines: the same chunks as <see cref="NoiseKernels.AddLines"/> (absolute
/// <see cref="NoiseKernels.LineChunk"/>-sample chunks, each line's state computed exactly at the chunk start by
/// <see cref="LineWave.StateAt"/>), but vectorised across time: the eight lanes of a Vector256 hold eight
/// consecutive samples of one line, advanced by the recurrence sin(x + 8d) = 2 cos(8d) sin(x) - sin(x - 8d).
/// That is three vector operations per eight samples and line instead of three scalar operations per sample and
/// line (the ILGPU kernel's form, which CUDA needs). Lane width is fixed at 8 (not Vector&lt;T&gt;), and no fused
/// multiply-add is used, so the bits do not depend on the machine's vector width.
/// </summary>
public static unsafe class CpuLines
{
    private const int Lanes = 8;

    /// <summary>Adds the lines to output[0..count), which holds absolute samples [blockFirstSample, +count).</summary>
    public static void Add(float* output, long blockFirstSample, int count, LineWave[] lines, int threads)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (count <= 0 || lines.Length == 0) return;
        long firstChunk = SampleMath.FloorDiv(blockFirstSample, NoiseKernels.LineChunk);
        int chunks = (int)(SampleMath.FloorDiv(blockFirstSample + count - 1, NoiseKernels.LineChunk) - firstChunk + 1);
        int parts = Math.Max(1, Math.Min(threads, chunks));
        nint outAddress = (nint)output;
        // contiguous runs of chunks per thread: each chunk is computed alone, so the split never changes a bit
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int c0 = (int)((long)chunks * part / parts), c1 = (int)((long)chunks * (part + 1) / parts);
            var state = new LaneState[lines.Length];
            for (int c = c0; c < c1; c++)
                AddChunk((float*)outAddress, blockFirstSample, count, (firstChunk + c) * NoiseKernels.LineChunk, lines, state);
        });
    }

    private struct LaneState
    {
        public Vector256<float> X, Previous, Coefficient, Amplitude;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddChunk(float* output, long blockFirst, int count, long k0, LineWave[] lines, LaneState[] state)
    {
        for (int l = 0; l < lines.Length; l++) state[l] = Start(lines[l], k0);
        long from = Math.Max(k0, blockFirst), to = Math.Min(k0 + NoiseKernels.LineChunk, blockFirst + count);
        float* lanes = stackalloc float[Lanes];
        for (long g = k0; g < to; g += Lanes)
        {
            var sum = Vector256<float>.Zero;
            for (int l = 0; l < state.Length; l++)
            {
                ref var s = ref state[l];
                sum += s.Amplitude * s.X;
                var next = s.Coefficient * s.X - s.Previous;
                s.Previous = s.X;
                s.X = next;
            }
            if (g >= from && g + Lanes <= to)
            {
                float* o = output + (g - blockFirst);
                Vector256.Store(Vector256.Load(o) + sum, o);
            }
            else if (g + Lanes > from)
            {
                // a group cut by the block's edge: only its samples inside the block
                sum.Store(lanes);
                for (int j = 0; j < Lanes; j++)
                    if (g + j >= from && g + j < to) output[g + j - blockFirst] += lanes[j];
            }
        }
    }

    /// <summary>Lane j holds sample k0 + j: sin(angle + j d) now and sin(angle + (j - 8) d) one group before.</summary>
    private static LaneState Start(LineWave w, long k0)
    {
        LineWave.StateAt(w, k0, out double angle, out double step, out double amplitude);
        float* x = stackalloc float[Lanes];
        float* before = stackalloc float[Lanes];
        // sines of angle + j d for j = -8..7 by rotating one exact start in double: four multiplies a step
        double sinD = Math.Sin(step), cosD = Math.Cos(step);
        double s = Math.Sin(angle - Lanes * step), c = Math.Cos(angle - Lanes * step);
        for (int j = -Lanes; j < Lanes; j++)
        {
            if (j < 0) before[j + Lanes] = (float)s; else x[j] = (float)s;
            double sNext = s * cosD + c * sinD;
            c = c * cosD - s * sinD;
            s = sNext;
        }
        return new LaneState
        {
            X = Vector256.Load(x),
            Previous = Vector256.Load(before),
            Coefficient = Vector256.Create((float)(2 * Math.Cos(Lanes * step))),
            Amplitude = Vector256.Create((float)amplitude),
        };
    }
}
