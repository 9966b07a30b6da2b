using ILGPU.Runtime;
using System.Diagnostics;
using Noise.Core;
using Noise.Simulation;

namespace Noise.Benchmarks;

/// <summary>Quick wall-clock breakdown: device start-up, engine set-up (kernel compile), generation.</summary>
internal static class StageTimer
{
    public static void Run(double seconds)
    {
        var sw = Stopwatch.StartNew();
        using var device = ComputeDevice.Create(DeviceChoice.Cpu, Environment.ProcessorCount);
        var tDevice = sw.Elapsed.TotalSeconds;
        var scenario = BenchScenario.VirgoO3();
        var tScenario = sw.Elapsed.TotalSeconds;
        scenario.LoadPsd();
        var tPsd = sw.Elapsed.TotalSeconds;
        var stages = new StageTimes();
        using var engine = new NoiseEngine(device, scenario, 64, SignalComponents.Noise) { Stages = stages };
        var tEngine = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"scenario load+validate {tScenario - tDevice:F3} s, one more curve load {tPsd - tScenario:F3} s, engine {tEngine - tPsd:F3} s");
        long n = (long)(seconds * scenario.SampleRate);
        long got = 0;
        engine.Generate(scenario.GpsStart.ToSampleIndex(scenario.SampleRate), n, (s, _) => got += s.Length);
        var tGen = sw.Elapsed.TotalSeconds;
        Console.WriteLine("noise only, per stage (synchronised): " + string.Join(", ", stages.Seconds.Select(kv => $"{kv.Key} {kv.Value:F3} s")));
        Console.WriteLine($"device {tDevice:F3} s, engine setup {tEngine - tDevice:F3} s, generate {seconds} s of data: {tGen - tEngine:F3} s ({got / (tGen - tEngine) / 1e6:F1} M samples/s)");
    }
}

internal static class FftTimer
{
    public static void Run()
    {
        foreach (var n in new[] { 16384, 65536, 262144 })
        {
            var fft = new Noise.Core.RealFft<float>(n);
            var bins = new float[n + 2];
            var r = new Random(1);
            for (int i = 0; i < bins.Length; i++) bins[i] = (float)r.NextDouble();
            var o = new float[n];
            for (int i = 0; i < 5; i++) fft.Inverse(bins, o);
            int reps = (1 << 24) / n;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) fft.Inverse(bins, o);
            Console.WriteLine($"RealFft<float> n={n}: {sw.Elapsed.TotalMilliseconds / reps:F3} ms, {sw.Elapsed.TotalMilliseconds * 1e6 / reps / n:F2} ns/sample");
        }
    }
}

internal static class KernelTimer
{
    public static void Run()
    {
        using var device = ComputeDevice.Create(DeviceChoice.Cpu, Environment.ProcessorCount);
        var acc = device.Accelerator;
        var layout = EngineLayout.For(16384);
        int segs = 19;
        using var bins = acc.Allocate1D<Noise.Simulation.Kernels.BinQuad>((long)(segs + 1) * (layout.Half / 2 + 1));
        using var amp = acc.Allocate1D(Enumerable.Repeat(new Noise.Simulation.Kernels.AmpPair { A0 = 1e-23f, A1 = 1e-23f }, layout.Half / 2 + 1).ToArray());
        using var time = acc.Allocate1D<float>((long)(segs + 1) * layout.SegmentLength);
        using var fade = acc.Allocate1D(NoiseEngine.BuildFadeIn(layout.Overlap));
        using var output = acc.Allocate1D<float>((long)segs * layout.Stride);
        var k1 = ILGPU.Runtime.KernelLoaders.LoadAutoGroupedStreamKernel<ILGPU.Index1D, ILGPU.ArrayView<Noise.Simulation.Kernels.BinQuad>, ILGPU.ArrayView<Noise.Simulation.Kernels.AmpPair>, ILGPU.ArrayView<float>, Noise.Simulation.Kernels.BinParams>(acc, Noise.Simulation.Kernels.NoiseKernels.GaussianBins);
        var k2 = ILGPU.Runtime.KernelLoaders.LoadAutoGroupedStreamKernel<ILGPU.Index1D, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, Noise.Simulation.Kernels.CrossfadeParams>(acc, Noise.Simulation.Kernels.NoiseKernels.Crossfade);
        int launch = (int)acc.MaxNumThreads;
        var bp = new Noise.Simulation.Kernels.BinParams { FirstSegment = 1000, Segments = segs, Half = layout.Half, FirstSlot = 1, Stride = launch, Contiguous = 1, Key0 = 1, Key1 = 2, Channel = 3 };
        var cp = new Noise.Simulation.Kernels.CrossfadeParams { SegmentLength = layout.SegmentLength, Overlap = layout.Overlap, Segments = segs, Stride = launch, Contiguous = 1 };
        using var gains = acc.Allocate1D<float>(4 * (segs + 1));
        for (int i = 0; i < 3; i++) { k1(launch, bins.View, amp.View, gains.View, bp); k2(launch, time.View, fade.View, output.View, cp); acc.Synchronize(); }
        int reps = 20;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) { k1(launch, bins.View, amp.View, gains.View, bp); acc.Synchronize(); }
        double tb = sw.Elapsed.TotalSeconds / reps;
        double tv = double.NaN;
        if (Noise.Simulation.Kernels.CpuGaussianBins.IsSupported)
            unsafe
            {
                sw.Restart();
                for (int i = 0; i < reps; i++)
                    Noise.Simulation.Kernels.CpuGaussianBins.Fill((Noise.Simulation.Kernels.BinQuad*)bins.NativePtr, (Noise.Simulation.Kernels.AmpPair*)amp.NativePtr, (float*)gains.NativePtr, bp, device.Threads);
                tv = sw.Elapsed.TotalSeconds / reps;
            }
        sw.Restart();
        for (int i = 0; i < reps; i++) { k2(launch, time.View, fade.View, output.View, cp); acc.Synchronize(); }
        double tc = sw.Elapsed.TotalSeconds / reps;
        double samples = (double)segs * layout.Stride;
        sw.Restart();
        var bp1 = bp; bp1.Stride = 1;
        Noise.Simulation.Kernels.NoiseKernels.GaussianBins(new ILGPU.Index1D(0), bins.View, amp.View, gains.View, bp1);
        double tDirect = sw.Elapsed.TotalSeconds;
        sw.Restart();
        uint acc0 = 0;
        int calls = (layout.Half + 2) / 2 * segs;
        for (int i = 0; i < calls; i++) { Noise.Simulation.Kernels.Philox.Generate((uint)i, 5, 0, 3, 1, 2, out var a0, out var a1, out var a2, out var a3); acc0 ^= a0 ^ a1 ^ a2 ^ a3; }
        double tPhilox = sw.Elapsed.TotalSeconds;
        sw.Restart();
        float accf = 0;
        for (int i = 0; i < calls; i++) { Noise.Simulation.Kernels.GaussianMath.BoxMuller((uint)i * 2654435761u, (uint)i * 40503u, out var g0, out var g1); Noise.Simulation.Kernels.GaussianMath.BoxMuller((uint)i * 7u, (uint)i * 3u, out var g2, out var g3); accf += g0 + g1 + g2 + g3; }
        double tBm = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"single thread direct call: {tDirect * 1e3:F1} ms; philox only {tPhilox * 1e3:F1} ms; box-muller only {tBm * 1e3:F1} ms ({acc0 ^ (uint)accf})");
        Console.WriteLine($"launch threads {launch}; bins kernel {tb * 1e3:F2} ms ({tb * 1e9 / samples:F2} ns/output sample), AVX2 bins {tv * 1e3:F2} ms ({tv * 1e9 / samples:F2} ns/output sample, {tb / tv:F2}x), crossfade {tc * 1e3:F2} ms ({tc * 1e9 / samples:F2} ns/sample)");
    }
}
