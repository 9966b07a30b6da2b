using Noise.Core;

namespace Noise.Simulation.Tests;

public class DeterminismTests
{
    [Fact]
    public void BlockSizeAndThreadCountDoNotChangeABit()
    {
        var s = Sim.O3();
        var reference = Sim.Run(s, 0, 40, block: 64, threads: 2);
        Assert.Equal(reference, Sim.Run(s, 0, 40, block: 1, threads: 1));
        Assert.Equal(reference, Sim.Run(s, 0, 40, block: 7.3, threads: 2));
        Assert.Equal(reference, Sim.Run(s, 0, 40, block: 3, threads: 3));
    }

    [Fact]
    public void ShardsJoinIntoTheUnshardedRun()
    {
        var s = Sim.O3();
        var whole = Sim.Run(s, 0, 30, block: 8);
        var a = Sim.Run(s, 0, 10.5, block: 2);
        var b = Sim.Run(s, 10.5, 19.5, block: 16);
        Assert.Equal(whole, a.Concat(b).ToArray());
    }

    [Fact]
    public void ALaterStartGivesTheSameSamplesForTheSameGpsRange()
    {
        var s = Sim.O3();
        var early = Sim.Run(s, 0, 20);
        var late = Sim.Run(s with { GpsStart = new GpsTime(s.GpsStart.Seconds + 5, 250_000_000) }, 0, 10);
        int offset = (int)(5.25 * s.SampleRate);
        Assert.Equal(early.AsSpan(offset, late.Length).ToArray(), late);
    }

    [Fact]
    public void SeedAndChannelSelectIndependentStreams()
    {
        var s = Sim.White();
        var a = Sim.Run(s, 0, 16);
        var b = Sim.Run(s with { Seed = s.Seed + 1 }, 0, 16);
        var c = Sim.Run(s with { Channel = "V1:OTHER" }, 0, 16);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
        // 65536 samples: independent streams correlate at +-0.004 (1 sigma)
        Assert.InRange(Correlation(a, b), -0.02, 0.02);
        Assert.InRange(Correlation(a, c), -0.02, 0.02);
    }

    private static double Correlation(float[] x, float[] y)
    {
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++) { sxy += x[i] * (double)y[i]; sxx += x[i] * (double)x[i]; syy += y[i] * (double)y[i]; }
        return sxy / Math.Sqrt(sxx * syy);
    }
}

public class SpectrumAndStatisticsTests
{
    [Fact]
    public void WelchAsdOfALongRunMatchesTheO3CurveWithinAFewPercent()
    {
        var s = Sim.O3();
        var x = Sim.Run(s, 0, 1024);
        var est = Welch.Estimate(x, s.SampleRate, 4 * s.SampleRate, WelchAverage.Mean);
        var curve = s.LoadPsd();
        var dev = new List<double>();
        for (int k = 0; k < est.Length; k++)
        {
            double f = est.FrequencyAt(k);
            if (f < 20 || f > 2000) continue;
            dev.Add(Math.Abs(Math.Sqrt(est.Values[k] / curve.At(f)) - 1));
        }
        dev.Sort();
        double median = dev[dev.Count / 2], p95 = dev[(int)(0.95 * dev.Count)];
        Assert.True(median < 0.025, $"median deviation {median:P2}");
        Assert.True(p95 < 0.08, $"95th percentile deviation {p95:P2}");
    }

    [Fact]
    public void VarianceIsTheIntegralOfThePsd()
    {
        var s = Sim.White(4096);
        var x = Sim.Run(s, 0, 256);
        var (mean, variance, _) = Sim.Moments(x);
        // unit PSD from 0 to fs/2 (DC and Nyquist bins empty): variance = fs/2
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 2048 * 0.99, 2048 * 1.01);
    }

    [Fact]
    public void OutputIsGaussianIncludingTheTails()
    {
        var s = Sim.White(4096);
        var x = Sim.Run(s, 0, 1024);
        var (_, variance, kurtosis) = Sim.Moments(x);
        Assert.InRange(kurtosis, 2.98, 3.02);
        double sigma = Math.Sqrt(variance);
        int beyond4 = x.Count(v => Math.Abs(v) > 4 * sigma);
        double expected = 6.334e-5 * x.Length;  // P(|z| > 4)
        Assert.InRange(beyond4, expected * 0.85, expected * 1.15);
    }

    [Fact]
    public void NoSeamAtSegmentJoinsOrBlockBoundaries()
    {
        // With block = 1 s every block boundary is also a segment join; compare statistics at the joins
        // (start and end of each cross-fade) with those well inside segments.
        var s = Sim.White(4096);
        var layout = EngineLayout.For(s.SampleRate);
        var x = Sim.Run(s, 0, 2048, block: 1);
        long first = s.GpsStart.ToSampleIndex(s.SampleRate);
        double[] joinVar = new double[2], insideVar = new double[2];
        long[] joinN = new long[2], insideN = new long[2];
        for (int i = 1; i < x.Length; i++)
        {
            long j = (first + i) % layout.Stride;
            bool nearJoin = j < 32 || j >= layout.Stride - 32 || Math.Abs(j - layout.Overlap) < 32;
            bool inside = Math.Abs(j - (layout.Overlap + layout.Stride) / 2) < 2048;
            double v = x[i], d = x[i] - x[i - 1];
            if (nearJoin) { joinVar[0] += v * v; joinVar[1] += d * d; joinN[0]++; joinN[1]++; }
            else if (inside) { insideVar[0] += v * v; insideVar[1] += d * d; insideN[0]++; insideN[1]++; }
        }
        for (int m = 0; m < 2; m++)
        {
            double ratio = joinVar[m] / joinN[m] / (insideVar[m] / insideN[m]);
            Assert.True(Math.Abs(ratio - 1) < 0.03, $"{(m == 0 ? "variance" : "difference variance")} at joins / inside = {ratio:F4}");
        }
    }
}

public class CudaAgreementTests
{
    [SkippableFact]
    public void CpuAndCudaAgreeToFloat32Rounding()
    {
        var gpus = ComputeDevice.ListCudaDevices();
        Skip.If(gpus.Count == 0, "no CUDA device on this machine: CPU/CUDA agreement not checked here");
        var s = Sim.O3();
        var cpu = Sim.Run(s, 0, 16, device: DeviceChoice.Cpu);
        var gpu = Sim.Run(s, 0, 16, device: DeviceChoice.Cuda);
        double num = 0, den = 0;
        for (int i = 0; i < cpu.Length; i++) { double d = cpu[i] - gpu[i]; num += d * d; den += cpu[i] * (double)cpu[i]; }
        Assert.True(Math.Sqrt(num / den) < 1e-5, $"relative RMS difference {Math.Sqrt(num / den):E2}");
    }
}
