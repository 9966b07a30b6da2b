using System.Runtime.CompilerServices;
using ILGPU;

namespace Noise.Simulation.Kernels;

/// <summary>Two consecutive complex rfft bins (k, k+1): one 16-byte store per Philox draw.</summary>
public struct BinQuad
{
    public float Re0, Im0, Re1, Im1;
}

/// <summary>The amplitudes of bins (k, k+1).</summary>
public struct AmpPair
{
    public float A0, A1;
}

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
    /// <summary>1: each thread takes one contiguous run of items (CPU: no false sharing); 0: interleaved (GPU: coalesced).</summary>
    public int Contiguous;
    public uint Key0, Key1, Channel;
    /// <summary>Breathing bands (0..4): bin ranges [lo, hi) whose amplitude is scaled by gains[slot * 4 + band].</summary>
    public int BandCount;
    public int BandLo0, BandHi0, BandLo1, BandHi1, BandLo2, BandHi2, BandLo3, BandHi3;
}

/// <summary>Parameters of <see cref="NoiseKernels.AddTransients"/>.</summary>
public struct TransientParams
{
    public long BlockFirstSample;  // absolute index of output[0]
    public int From, To;           // the span of output touched by this launch's atoms
    public int AtomOffset, AtomCount;
    public float InvSampleRate;
    public int Stride;
    public int Contiguous;
}

/// <summary>Parameters of <see cref="NoiseKernels.AddLines"/>.</summary>
public struct LineParams
{
    public long BlockFirstSample;
    public int Count;               // samples in the block
    public long FirstChunk;         // absolute chunk index of the first chunk touching the block
    public int Chunks;
    public int LineCount;
    public int Stride;
    public int Contiguous;
}

/// <summary>Parameters of <see cref="NoiseKernels.WhiteNoise"/>.</summary>
public struct WhiteParams
{
    public long BlockFirstSample;   // absolute index of output[0]
    public int Count;
    public float Sigma;
    public uint Key0, Key1, Channel;
    public int Stride;
    public int Contiguous;
}

/// <summary>Parameters of <see cref="NoiseKernels.Crossfade"/>.</summary>
public struct CrossfadeParams
{
    public int SegmentLength;  // N
    public int Overlap;        // L: samples over which one segment fades into the next
    public int Segments;       // output strides in this launch
    public int Stride;         // threads launched
    public int Contiguous;     // see BinParams.Contiguous
}

/// <summary>
/// The engine's ILGPU kernels. Each is a grid-stride loop (the CPU accelerator runs one-thread-per-element
/// launches hundreds of times slower) and each output element is a pure function of its inputs, so thread
/// counts and launch shapes never change a bit.
/// </summary>
public static class NoiseKernels
{
    /// <summary>
    /// Fills the rfft bins of each segment with (a + i b) * amplitude[k], a, b ~ N(0,1) from Philox via
    /// Box-Muller (<see cref="GaussianMath"/>). Counter: (bin pair, segment low, segment high, channel); key: the
    /// seed. One Philox call gives bins k = 2 pair and 2 pair + 1. A slot holds M/2+1 quads (N/2+2 interleaved
    /// complex bins; the last is padding with zero amplitude), cuFFT's C2R layout with a padded distance.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GaussianBins(Index1D index, ArrayView<BinQuad> bins, ArrayView<AmpPair> amplitude, ArrayView<float> gains, BinParams p)
    {
        int pairs = p.Half / 2 + 1;
        int total = pairs * p.Segments;
        Split(index, total, p.Stride, p.Contiguous, out int w, out int end, out int step);
        // (segment, pair) of item w, advanced by step without a division per item
        int b = w / pairs;
        int pair = w - b * pairs;
        int stepSegments = step / pairs, stepPairs = step - stepSegments * pairs;
        for (; w < end; w += step)
        {
            long seg = p.FirstSegment + b;
            Philox.Generate((uint)pair, (uint)seg, (uint)(seg >> 32), p.Channel, p.Key0, p.Key1,
                out uint r0, out uint r1, out uint r2, out uint r3);
            GaussianMath.BoxMuller(r0, r1, out float g0, out float g1);
            GaussianMath.BoxMuller(r2, r3, out float g2, out float g3);
            AmpPair a = amplitude[pair];
            if (p.BandCount > 0)
            {
                int gi = (p.FirstSlot + b) * 4, k0 = 2 * pair;
                a.A0 *= BandGain(gains, gi, k0, p);
                a.A1 *= BandGain(gains, gi, k0 + 1, p);
            }
            BinQuad q;
            q.Re0 = g0 * a.A0;
            q.Im0 = g1 * a.A0;
            q.Re1 = g2 * a.A1;
            q.Im1 = g3 * a.A1;
            bins[(long)(p.FirstSlot + b) * pairs + pair] = q;
            b += stepSegments;
            pair += stepPairs;
            if (pair >= pairs) { pair -= pairs; b++; }
        }
    }

    /// <summary>Product of the breathing gains of the bands holding bin k, for the segment whose gains start at gi.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float BandGain(ArrayView<float> gains, int gi, int k, BinParams p)
    {
        float g = 1f;
        if (k >= p.BandLo0 && k < p.BandHi0) g *= gains[gi];
        if (p.BandCount > 1 && k >= p.BandLo1 && k < p.BandHi1) g *= gains[gi + 1];
        if (p.BandCount > 2 && k >= p.BandLo2 && k < p.BandHi2) g *= gains[gi + 2];
        if (p.BandCount > 3 && k >= p.BandLo3 && k < p.BandHi3) g *= gains[gi + 3];
        return g;
    }

    /// <summary>
    /// The items [start, end) with step that thread <paramref name="index"/> of <paramref name="threads"/> owns:
    /// interleaved (grid-stride, coalesced on GPUs) or one contiguous run (on the CPU accelerator, where
    /// interleaved threads would write to the same cache lines).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Split(int index, int total, int threads, int contiguous, out int start, out int end, out int step)
    {
        if (contiguous != 0)
        {
            int per = (total + threads - 1) / threads;
            start = index * per;
            end = total < start + per ? total : start + per;
            step = 1;
        }
        else
        {
            start = index;
            end = total;
            step = threads;
        }
    }

    /// <summary>
    /// Joins segments into a seamless stream: output stride b takes segment b+1 (slot b+1), whose first L samples
    /// are cross-faded with the tail of segment b (slot b) with cos/sin weights, so the variance stays constant
    /// through the join (cos^2 + sin^2 = 1 for independent segments), as LAL's SimNoise does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Crossfade(Index1D index, ArrayView<float> time, ArrayView<float> fadeIn, ArrayView<float> output, CrossfadeParams p)
    {
        int stride = p.SegmentLength - p.Overlap;
        int total = stride * p.Segments;   // < 2^31: the engine caps the block size (see NoiseEngine)
        Split(index, total, p.Stride, p.Contiguous, out int i, out int end, out int step);
        for (; i < end; i += step)
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

    /// <summary>
    /// White Gaussian noise of standard deviation sigma (the witness channels' floor): absolute samples
    /// 4q..4q+3 come from one Philox call with counter (q low, q high, tag, channel), so every sample is a pure
    /// function of (seed, channel, index) whatever the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WhiteNoise(Index1D index, ArrayView<float> output, WhiteParams p)
    {
        long q0 = p.BlockFirstSample >= 0 ? p.BlockFirstSample / 4 : -((-p.BlockFirstSample + 3) / 4);
        long last = p.BlockFirstSample + p.Count - 1;
        long q1 = last >= 0 ? last / 4 : -((-last + 3) / 4);
        Split(index, (int)(q1 - q0 + 1), p.Stride, p.Contiguous, out int i, out int end, out int step);
        for (; i < end; i += step)
        {
            long q = q0 + i;
            Philox.Generate((uint)q, (uint)(q >> 32), WhiteTag, p.Channel, p.Key0, p.Key1, out uint r0, out uint r1, out uint r2, out uint r3);
            GaussianMath.BoxMuller(r0, r1, out float g0, out float g1);
            GaussianMath.BoxMuller(r2, r3, out float g2, out float g3);
            long o = q * 4 - p.BlockFirstSample;
            if (o >= 0 && o < p.Count) output[o] = g0 * p.Sigma;
            if (o + 1 >= 0 && o + 1 < p.Count) output[o + 1] = g1 * p.Sigma;
            if (o + 2 >= 0 && o + 2 < p.Count) output[o + 2] = g2 * p.Sigma;
            if (o + 3 >= 0 && o + 3 < p.Count) output[o + 3] = g3 * p.Sigma;
        }
    }

    /// <summary>Third counter word of the white-noise stream: keeps it apart from the strain's (segment high word, small).</summary>
    private const uint WhiteTag = 0x57A1E000u;

    /// <summary>
    /// Adds the transient atoms (glitches, injections) of this block to the output: each sample sums the atoms
    /// whose support holds it, with <see cref="Transients.TransientAtom.Evaluate"/> (the host renders the same
    /// function to measure SNRs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddTransients(Index1D index, ArrayView<float> output, ArrayView<Transients.TransientAtom> atoms, TransientParams p)
    {
        Split(index, p.To - p.From, p.Stride, p.Contiguous, out int i, out int end, out int step);
        for (; i < end; i += step)
        {
            int o = p.From + i;
            long s = p.BlockFirstSample + o;
            float sum = 0f;
            for (int k = p.AtomOffset; k < p.AtomOffset + p.AtomCount; k++)
            {
                // test the support before copying the whole atom
                if (s >= atoms[k].FirstSample && s < atoms[k].EndSample)
                {
                    var a = atoms[k];
                    sum += Transients.TransientAtom.Evaluate(a, ((s - a.CenterSample) - a.CenterFraction) * p.InvSampleRate);
                }
            }
            output[o] += sum;
        }
    }

    /// <summary>
    /// Adds samples rendered on the host (sampled waveforms, on CUDA) to the output: output[To + i] += samples[From + i]
    /// for i in [0, count), one thread per sample (each launch covers one event; launches run in event order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddSamples(Index1D index, ArrayView<float> output, ArrayView<float> samples, int to, int from) =>
        output[to + index] += samples[from + index];

    /// <summary>Samples per line chunk: the exact phase is recomputed at each chunk start (absolute multiples).</summary>
    public const int LineChunk = 1024;

    /// <summary>
    /// Adds the spectral lines. Each item is one chunk of <see cref="LineChunk"/> samples aligned to absolute
    /// sample indices: at its start the phase, frequency and amplitude of every line are computed exactly (double),
    /// then the sinusoids are advanced by a second-order recurrence (float; amplitude error below 1e-3 over a
    /// chunk), so values never depend on where a block begins. Lines go eight at a time (the host pads the list
    /// to a multiple of eight with silent lines): eight independent recurrences per sample, one write.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddLines(Index1D index, ArrayView<float> output, ArrayView<Transients.LineWave> lines, LineParams p)
    {
        Split(index, p.Chunks, p.Stride, p.Contiguous, out int c, out int end, out int step);
        for (; c < end; c += step)
        {
            long k0 = (p.FirstChunk + c) * LineChunk;
            long from = k0 > p.BlockFirstSample ? k0 : p.BlockFirstSample;
            long to = k0 + LineChunk < p.BlockFirstSample + p.Count ? k0 + LineChunk : p.BlockFirstSample + p.Count;
            for (int l = 0; l + 7 < p.LineCount; l += 8)
            {
                // second-order (Chebyshev) recurrence sin((n+1)d) = 2 cos(d) sin(nd) - sin((n-1)d): two flops a step
                LineStart(lines[l], k0, out float x0, out float p0, out float k_0, out float a0);
                LineStart(lines[l + 1], k0, out float x1, out float p1, out float k_1, out float a1);
                LineStart(lines[l + 2], k0, out float x2, out float p2, out float k_2, out float a2);
                LineStart(lines[l + 3], k0, out float x3, out float p3, out float k_3, out float a3);
                LineStart(lines[l + 4], k0, out float x4, out float p4, out float k_4, out float a4);
                LineStart(lines[l + 5], k0, out float x5, out float p5, out float k_5, out float a5);
                LineStart(lines[l + 6], k0, out float x6, out float p6, out float k_6, out float a6);
                LineStart(lines[l + 7], k0, out float x7, out float p7, out float k_7, out float a7);
                int first = (int)(from - k0), last = (int)(to - k0), outBase = (int)(k0 - p.BlockFirstSample);
                for (int i = 0; i < last; i++)
                {
                    if (i >= first)
                        output[outBase + i] += ((a0 * x0 + a1 * x1) + (a2 * x2 + a3 * x3)) + ((a4 * x4 + a5 * x5) + (a6 * x6 + a7 * x7));
                    float n0 = k_0 * x0 - p0; p0 = x0; x0 = n0;
                    float n1 = k_1 * x1 - p1; p1 = x1; x1 = n1;
                    float n2 = k_2 * x2 - p2; p2 = x2; x2 = n2;
                    float n3 = k_3 * x3 - p3; p3 = x3; x3 = n3;
                    float n4 = k_4 * x4 - p4; p4 = x4; x4 = n4;
                    float n5 = k_5 * x5 - p5; p5 = x5; x5 = n5;
                    float n6 = k_6 * x6 - p6; p6 = x6; x6 = n6;
                    float n7 = k_7 * x7 - p7; p7 = x7; x7 = n7;
                }
            }
        }
    }

    /// <summary>
    /// A line's exact state at absolute sample k0 as the recurrence needs it: sin of its phase there and one step
    /// before, the recurrence coefficient 2 cos(step), and its amplitude.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LineStart(Transients.LineWave w, long k0, out float sin, out float sinBefore, out float coefficient, out float amp)
    {
        Transients.LineWave.StateAt(w, k0, out double angle, out double step, out double amplitude);
        sin = (float)Math.Sin(angle);
        sinBefore = (float)Math.Sin(angle - step);
        coefficient = (float)(2 * Math.Cos(step));
        amp = (float)amplitude;
    }

    /// <summary>Copies the tail of the last segment into slot 0 so the next block can fade out of it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CarryTail(Index1D index, ArrayView<float> time, int fromSlot, int segmentLength, int overlap, int stride)
    {
        int start = segmentLength - overlap;
        for (int j = index; j < overlap; j += stride)
            time[start + j] = time[(long)fromSlot * segmentLength + start + j];
    }
}
