using ILGPU;
using Noise.Core;
using ILGPU.Runtime;
using Noise.Simulation.Kernels;

namespace Noise.Simulation.Tests;

public class CpuGaussianBinsTests
{
    /// <summary>
    /// The AVX2 path draws the very same bins as the ILGPU kernel (here on the CPU accelerator), bit for bit: with
    /// and without breathing bands, a segment index above 2^32 (both counter words used), a pair count that leaves
    /// a scalar tail, and segments written from a slot other than the first.
    /// </summary>
    [SkippableTheory]
    [InlineData(0, 1000, 5, 123456789012L)]
    [InlineData(3, 1023, 4, 77L)]
    [InlineData(4, 64, 9, -3L)]
    public unsafe void TheVectorPathDrawsTheKernelsBinsBitForBit(int bands, int half, int segments, long firstSegment)
    {
        Skip.IfNot(CpuGaussianBins.IsSupported, "this CPU has no AVX2");
        int pairs = half / 2 + 1, slots = segments + 2, firstSlot = 1;
        var rng = new Random(half + bands);
        var amp = Enumerable.Range(0, pairs).Select(_ => new AmpPair { A0 = (float)rng.NextDouble(), A1 = (float)rng.NextDouble() }).ToArray();
        var gains = Enumerable.Range(0, slots * 4).Select(_ => (float)(0.5 + rng.NextDouble())).ToArray();
        var p = new BinParams
        {
            FirstSegment = firstSegment, Segments = segments, Half = half, FirstSlot = firstSlot, Contiguous = 1,
            Key0 = 0xDEADBEEFu, Key1 = 12345, Channel = 0xC0FFEEu, BandCount = bands,
            BandLo0 = 3, BandHi0 = 200, BandLo1 = 100, BandHi1 = 401, BandLo2 = 0, BandHi2 = 17, BandLo3 = 250, BandHi3 = 1024,
        };
        using var dev = ComputeDevice.Create(DeviceChoice.Cpu, 2);
        var acc = dev.Accelerator;
        using var bins = acc.Allocate1D<BinQuad>((long)slots * pairs);
        bins.MemSetToZero();
        using var ampBuffer = acc.Allocate1D(amp);
        using var gainBuffer = acc.Allocate1D(gains);
        var kernel = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<BinQuad>, ArrayView<AmpPair>, ArrayView<float>, BinParams>(NoiseKernels.GaussianBins);
        int launch = (int)acc.MaxNumThreads;
        kernel(launch, bins.View, ampBuffer.View, gainBuffer.View, p with { Stride = launch });
        acc.Synchronize();
        var expected = bins.GetAsArray1D();

        var actual = new BinQuad[(long)slots * pairs];
        fixed (BinQuad* b = actual)
        fixed (AmpPair* a = amp)
        fixed (float* g = gains)
            CpuGaussianBins.Fill(b, a, g, p, 2);
        static bool Same(BinQuad e, BinQuad x) =>
            BitConverter.SingleToInt32Bits(e.Re0) == BitConverter.SingleToInt32Bits(x.Re0) && BitConverter.SingleToInt32Bits(e.Im0) == BitConverter.SingleToInt32Bits(x.Im0)
            && BitConverter.SingleToInt32Bits(e.Re1) == BitConverter.SingleToInt32Bits(x.Re1) && BitConverter.SingleToInt32Bits(e.Im1) == BitConverter.SingleToInt32Bits(x.Im1);
        var differ = Enumerable.Range(0, expected.Length).Where(i => !Same(expected[i], actual[i])).ToList();
        Assert.True(differ.Count == 0, $"{differ.Count} of {expected.Length} bin pairs differ (first: {differ.FirstOrDefault()})");
        // the slots around the launch stay untouched, the launched ones are filled
        Assert.All(actual.Take(pairs), q => Assert.Equal(0f, q.Re0));
        Assert.Contains(actual.Skip(pairs), q => q.Re0 != 0);
    }
}

public class NativeCpuEngineTests
{
    /// <summary>
    /// The whole engine on the native CPU path (AVX2 bins, native cross-fade and tail carry) and through the ILGPU
    /// kernels: the same samples to the bit, for coloured O3 noise with breathing bands, across block sizes (so
    /// several blocks and their tail carries) and thread counts (the determinism contract on the CPU backend).
    /// </summary>
    [SkippableFact]
    public void TheEngineGivesTheSameBitsOnTheNativePathOrThroughTheKernels()
    {
        Skip.IfNot(Noise.Simulation.Kernels.CpuGaussianBins.IsSupported, "this CPU has no AVX2");
        var s = Sim.O3() with { Breathing = [new() { Name = "b", Band = new(10, 60), Depth = 0.3, Period = 40 }, new() { Name = "c", Band = new(40, 400), Depth = 0.1, Period = 90 }] };
        var kernel = Sim.Run(s, 3.5, 70, block: 16, threads: 2, components: SignalComponents.Noise, vectorBins: false);
        var vector = Sim.Run(s, 3.5, 70, block: 64, threads: 1, components: SignalComponents.Noise);
        Assert.Equal(kernel, vector);
        Assert.Contains(vector, v => v != 0);
    }
}
