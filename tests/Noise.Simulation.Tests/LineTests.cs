using ILGPU;
using ILGPU.Runtime;
using Noise.Core;
using Noise.Simulation.Kernels;
using Noise.Simulation.Transients;

namespace Noise.Simulation.Tests;

public class LineTests
{
    private static Scenario WithLines(double amplitudeWander = 0) => Sim.O3() with
    {
        Lines =
        [
            new LineSpec { Name = "mains", Frequency = 50, Harmonics = 3, Amplitude = 1e-21, HarmonicRatio = 0.5, FrequencyWander = 0.02, AmplitudeWander = amplitudeWander },
            new LineSpec { Name = "violin", Frequency = 448.2, Harmonics = 2, Amplitude = 3e-21, HarmonicRatio = 0.3, FrequencyWander = 0.005, AmplitudeWander = amplitudeWander },
        ],
    };

    [Fact]
    public void LinePowerIsTheSumOfTheirSquaredAmplitudesOverTwo()
    {
        var s = WithLines();
        var x = Sim.Run(s, 0, 200, components: SignalComponents.Lines);
        var (_, variance, _) = Sim.Moments(x);
        double expected = 0;
        foreach (var l in s.Lines)
            for (int h = 0; h < l.Harmonics; h++) expected += Math.Pow(l.Amplitude * Math.Pow(l.HarmonicRatio, h), 2) / 2;
        Assert.InRange(variance / expected, 0.98, 1.02);
    }

    [Fact]
    public void LinesSitAtTheirFrequenciesAndHarmonics()
    {
        var s = WithLines();
        var x = Sim.Run(s, 0, 128, components: SignalComponents.Lines);
        var psd = Welch.Estimate(x, s.SampleRate, 8 * s.SampleRate, WelchAverage.Mean);
        foreach (var f in new[] { 50.0, 100, 150, 448.2, 896.4 })
        {
            int k = (int)Math.Round(f / psd.DeltaF);
            double peak = psd.Values[(k - 2)..(k + 3)].Max();
            double away = psd.Values[(k + 40)..(k + 60)].Max();   // 5-7.5 Hz away
            Assert.True(peak > 1e6 * away, $"{f} Hz: peak {peak:E2} vs {away:E2} nearby");
        }
    }

    /// <summary>
    /// The CPU path (eight samples per vector, <see cref="CpuLines"/>) against the ILGPU kernel that CUDA runs (one
    /// sample per step), here on the CPU accelerator: the same lines to float32 recurrence accuracy, over a block
    /// that starts and ends inside chunks.
    /// </summary>
    [Fact]
    public unsafe void CpuLinesAgreeWithTheKernelThatCudaRuns()
    {
        var s = WithLines(amplitudeWander: 0.3);
        var lines = LineWave.Build(s);
        long first = s.GpsStart.ToSampleIndex(s.SampleRate) + 517;
        int count = 40 * s.SampleRate + 3;
        using var dev = ComputeDevice.Create(DeviceChoice.Cpu, 2);
        var acc = dev.Accelerator;
        using var buffer = acc.Allocate1D<float>(count);
        buffer.MemSetToZero();
        using var lineBuffer = acc.Allocate1D(lines);
        var kernel = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<LineWave>, LineParams>(NoiseKernels.AddLines);
        long c0 = SampleMath.FloorDiv(first, NoiseKernels.LineChunk), c1 = SampleMath.FloorDiv(first + count - 1, NoiseKernels.LineChunk);
        int launch = (int)acc.MaxNumThreads;
        kernel(launch, buffer.View, lineBuffer.View, new LineParams
        {
            BlockFirstSample = first, Count = count, FirstChunk = c0, Chunks = (int)(c1 - c0 + 1),
            LineCount = lines.Length, Stride = launch, Contiguous = 1,
        });
        acc.Synchronize();
        var kernelOut = buffer.GetAsArray1D();
        var cpu = new float[count];
        fixed (float* p = cpu) CpuLines.Add(p, first, count, lines.Where(l => l.Amplitude != 0).ToArray(), 2);
        // exact in double: each chunk from its start state, its phase advanced by the chunk's step
        var exact = new double[count];
        for (long k = first; k < first + count; k++)
        {
            long k0 = SampleMath.FloorDiv(k, NoiseKernels.LineChunk) * NoiseKernels.LineChunk;
            foreach (var l in lines)
            {
                LineWave.StateAt(l, k0, out double angle, out double step, out double amplitude);
                exact[k - first] += amplitude * Math.Sin(angle + (k - k0) * step);
            }
        }
        double RelativeRms(float[] y) => Math.Sqrt(exact.Select((v, i) => (y[i] - v) * (y[i] - v)).Sum() / exact.Sum(v => v * v));
        // float32 recurrences: eight-sample steps drift less than one-sample steps over a 1024-sample chunk
        Assert.True(RelativeRms(cpu) < 2e-5, $"CPU path: relative RMS error {RelativeRms(cpu):E2}");
        Assert.True(RelativeRms(kernelOut) < 1e-3, $"kernel: relative RMS error {RelativeRms(kernelOut):E2}");
        Assert.NotEqual(0f, cpu[0]);
        Assert.NotEqual(0f, cpu[^1]);
    }

    [Fact]
    public void LinesKeepTheDeterminismContract()
    {
        var s = WithLines(amplitudeWander: 0.3);
        var whole = Sim.Run(s, 0, 70, block: 64);
        var parts = Sim.Run(s, 0, 33.25, block: 3).Concat(Sim.Run(s, 33.25, 36.75, block: 17, threads: 1)).ToArray();
        Assert.Equal(whole, parts);
    }
}
