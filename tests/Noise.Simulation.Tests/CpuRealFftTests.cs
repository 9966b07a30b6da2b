using Noise.Core;


namespace Noise.Simulation.Tests;

public class CpuRealFftTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(1024)]
    [InlineData(4096)]
    public void MatchesTheDefinitionOfTheInverseRealDft(int n)
    {
        var r = new Random(n);
        var bins = new float[n + 2];
        for (int i = 0; i < bins.Length; i++) bins[i] = (float)(r.NextDouble() - 0.5);
        var got = new float[n];
        new RealFft<float>(n).Inverse(bins, got);

        double maxAbs = 0, maxErr = 0;
        for (int t = 0; t < n; t++)
        {
            // full Hermitian sum: X_0 + X_{N/2}(-1)^t + 2 Re sum_{k=1}^{N/2-1} X_k e^{+2 pi i k t/N}
            double sum = bins[0] + bins[n] * (t % 2 == 0 ? 1 : -1);
            for (int k = 1; k < n / 2; k++)
            {
                double a = 2 * Math.PI * k * (long)t / n;
                sum += 2 * (bins[2 * k] * Math.Cos(a) - bins[2 * k + 1] * Math.Sin(a));
            }
            maxAbs = Math.Max(maxAbs, Math.Abs(sum));
            maxErr = Math.Max(maxErr, Math.Abs(sum - got[t]));
        }
        Assert.True(maxErr < 2e-5 * maxAbs, $"max error {maxErr} vs scale {maxAbs}");
    }

    [Theory]
    [InlineData(16)]
    [InlineData(256)]
    [InlineData(4096)]
    public void ForwardMatchesTheDefinitionOfTheRealDft(int n)
    {
        var r = new Random(n + 1);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(r.NextDouble() - 0.5);
        var got = new float[n + 2];
        new RealFft<float>(n).Forward(x, got);
        double scale = 0, maxErr = 0;
        for (int k = 0; k <= n / 2; k++)
        {
            double re = 0, im = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * k * (long)t / n;
                re += x[t] * Math.Cos(a);
                im += x[t] * Math.Sin(a);
            }
            scale = Math.Max(scale, Math.Sqrt(re * re + im * im));
            maxErr = Math.Max(maxErr, Math.Max(Math.Abs(re - got[2 * k]), Math.Abs(im - got[2 * k + 1])));
        }
        Assert.True(maxErr < 2e-5 * scale, $"max error {maxErr} vs scale {scale}");
    }

    [Fact]
    public void ForwardThenInverseGivesNTimesTheInput()
    {
        const int n = 1 << 15;
        var r = new Random(5);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(r.NextDouble() - 0.5);
        var fft = new RealFft<float>(n);
        var bins = new float[n + 2];
        var back = new float[n];
        fft.Forward(x, bins);
        fft.Inverse(bins, back);
        double err = 0, rms = 0;
        for (int i = 0; i < n; i++) { err += Math.Pow(back[i] / n - x[i], 2); rms += x[i] * (double)x[i]; }
        Assert.True(Math.Sqrt(err / rms) < 2e-6, $"relative RMS round-trip error {Math.Sqrt(err / rms):E2}");
    }

    [Fact]
    public void IsAccurateOnALargeTransform()
    {
        const int n = 1 << 16;
        var r = new Random(3);
        var bins = new float[n + 2];
        var re = new float[n / 2 + 1];
        var im = new float[n / 2 + 1];
        for (int k = 0; k <= n / 2; k++)
        {
            bins[2 * k] = re[k] = (float)(r.NextDouble() - 0.5);
            bins[2 * k + 1] = im[k] = k == 0 || k == n / 2 ? 0 : (float)(r.NextDouble() - 0.5);
        }
        var ours = new float[n];
        var single = new float[n];
        var reference = new double[n];
        new RealFft<float>(n).Inverse(bins, ours);
        new NWaves.Transforms.RealFft(n).Inverse(re, im, single);
        new NWaves.Transforms.RealFft64(n).Inverse(Array.ConvertAll(re, v => (double)v), Array.ConvertAll(im, v => (double)v), reference);
        double rms = Math.Sqrt(reference.Average(v => v * v));
        double errOurs = Math.Sqrt(reference.Select((v, t) => (v - ours[t]) * (v - ours[t])).Average()) / rms;
        double errNWaves = Math.Sqrt(reference.Select((v, t) => (v - single[t]) * (v - single[t])).Average()) / rms;
        // float32 rounding over 16 radix-2 stages: relative RMS error of order 1e-7 * sqrt(log2 N)
        Assert.True(errOurs < 2e-6, $"relative RMS error vs float64 reference {errOurs:E2} (NWaves float: {errNWaves:E2})");
    }
}
