using BenchmarkDotNet.Attributes;
using Noise.Core;
using Noise.Simulation;

namespace Noise.Benchmarks;

/// <summary>The whole engine (Gaussian bins kernel, FFT, cross-fade kernel) on the CPU accelerator, noise alone.</summary>
public class EngineBenchmarks
{
    private ComputeDevice _device = null!;
    private NoiseEngine _engine = null!;

    /// <summary>The AVX2 bins (CpuGaussianBins) or the ILGPU kernel's, side by side in one run: the same bits, different speed.</summary>
    [Params(true, false)]
    public bool NativeCpu { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _device = ComputeDevice.Create(DeviceChoice.Cpu, Environment.ProcessorCount);
        _engine = new NoiseEngine(_device, BenchScenario.VirgoO3(), 64) { NativeCpu = NativeCpu };
    }

    /// <summary>64 s of Virgo O3 noise at 16384 Hz (1,048,576 samples).</summary>
    [Benchmark]
    public long Generate64Seconds()
    {
        long sum = 0;
        _engine.Generate(1238166018L * 16384, 64 * 16384, (span, _) => sum += span.Length);
        return sum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _device.Dispose();
    }
}

internal static class BenchScenario
{
    /// <summary>The O3 scenario's noise alone (its glitches, injections and lines removed).</summary>
    public static Scenario VirgoO3() => VirgoO3WithGlitches() with { Glitches = [], Injections = null, Lines = [] };

    /// <summary>The full O3 scenario: noise, lines, glitches and injections.</summary>
    public static Scenario VirgoO3WithGlitches()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "configs", "virgo-o3.yaml"))) dir = Path.GetDirectoryName(dir);
        if (dir is null) throw new FileNotFoundException("configs/virgo-o3.yaml not found above " + AppContext.BaseDirectory);
        return ScenarioLoader.Load(Path.Combine(dir, "configs", "virgo-o3.yaml"));
    }
}
