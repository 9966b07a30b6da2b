using ILGPU;

namespace Noise.Simulation.Kernels;

/// <summary>Parameters of <see cref="NoiseKernels.GaussianBins"/>. Public: ILGPU requires it of kernel structs.</summary>
public struct BinParams
{
    /// <summary>Absolute index of the first segment of this launch (segments are counted from GPS 0).</summary>
    public long FirstSegment;
    /// <summary>How many consecutive segments to fill.</summary>
    public int Segments;
    /// <summary>M = N/2: the segment's bins are k = 0..M.</summary>
    public int Half;
    /// <summary>Slot in the bin buffer where the first segment goes.</summary>
    public int FirstSlot;
    /// <summary>Number of threads launched (the grid-stride step).</summary>
    public int Stride;
    public uint Key0, Key1, Channel;
}

/// <summary>Parameters of <see cref="NoiseKernels.Crossfade"/>.</summary>
public struct CrossfadeParams
{
    public int SegmentLength;  // N
    public int Overlap;        // L: samples over which one segment fades into the next
    public int Segments;       // output strides in this launch
    public int Stride;         // threads launched
}

/// <summary>
/// The engine's ILGPU kernels. Each is a grid-stride loop (the CPU accelerator runs one-thread-per-element
/// launches hundreds of times slower) and each output element is a pure function of its inputs, so thread
/// counts and launch shapes never change a bit.
/// </summary>
public static class NoiseKernels
{
    /// <summary>
    /// Fills the N/2+1 rfft bins of each segment with (a + i b) * amplitude[k], a, b ~ N(0,1) from Philox via
    /// Box-Muller (<see cref="GaussianMath"/>). Counter: (bin pair, segment low, segment high, channel); key: the seed. One Philox call gives
    /// two complex bins. Bins are interleaved (re, im), one segment per slot of 2(M+1) floats (cuFFT's C2R layout).
    /// </summary>
    public static void GaussianBins(Index1D index, ArrayView<float> bins, ArrayView<float> amplitude, BinParams p)
    {
        int pairs = (p.Half + 2) / 2;
        int total = pairs * p.Segments;
        int slotLen = 2 * (p.Half + 1);
        for (int w = index; w < total; w += p.Stride)
        {
            int b = w / pairs;
            int pair = w - b * pairs;
            long seg = p.FirstSegment + b;
            Philox.Generate((uint)pair, (uint)seg, (uint)(seg >> 32), p.Channel, p.Key0, p.Key1,
                out uint r0, out uint r1, out uint r2, out uint r3);
            long baseIdx = (long)(p.FirstSlot + b) * slotLen;
            int k = 2 * pair;
            GaussianMath.BoxMuller(r0, r1, out float g0, out float g1);
            float amp0 = amplitude[k];
            bins[baseIdx + 2 * k] = g0 * amp0;
            bins[baseIdx + 2 * k + 1] = g1 * amp0;
            int k1 = k + 1;
            if (k1 <= p.Half)
            {
                GaussianMath.BoxMuller(r2, r3, out float g2, out float g3);
                float amp1 = amplitude[k1];
                bins[baseIdx + 2 * k1] = g2 * amp1;
                bins[baseIdx + 2 * k1 + 1] = g3 * amp1;
            }
        }
    }

    /// <summary>
    /// Joins segments into a seamless stream: output stride b takes segment b+1 (slot b+1), whose first L samples
    /// are cross-faded with the tail of segment b (slot b) with cos/sin weights, so the variance stays constant
    /// through the join (cos^2 + sin^2 = 1 for independent segments), as LAL's SimNoise does.
    /// </summary>
    public static void Crossfade(Index1D index, ArrayView<float> time, ArrayView<float> fadeIn, ArrayView<float> output, CrossfadeParams p)
    {
        int stride = p.SegmentLength - p.Overlap;
        int total = stride * p.Segments;   // < 2^31: the engine caps a block at 4096 segments of 2^20
        for (int i = index; i < total; i += p.Stride)
        {
            int b = i / stride;
            int j = i - b * stride;
            long cur = (long)(b + 1) * p.SegmentLength + j;
            float v = time[cur];
            if (j < p.Overlap)
            {
                float prev = time[(long)b * p.SegmentLength + stride + j];
                v = fadeIn[p.Overlap - 1 - j] * prev + fadeIn[j] * v;
            }
            output[i] = v;
        }
    }

    /// <summary>Copies the tail of the last segment into slot 0 so the next block can fade out of it.</summary>
    public static void CarryTail(Index1D index, ArrayView<float> time, int fromSlot, int segmentLength, int overlap, int stride)
    {
        int start = segmentLength - overlap;
        for (int j = index; j < overlap; j += stride)
            time[start + j] = time[(long)fromSlot * segmentLength + start + j];
    }
}
