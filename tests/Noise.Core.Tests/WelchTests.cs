namespace Noise.Core.Tests;

public class WelchTests
{
    [Theory]
    [InlineData(WelchAverage.Mean)]
    [InlineData(WelchAverage.Median)]
    public void WhiteNoiseOfUnitVarianceHasPsdTwoOverFs(WelchAverage avg)
    {
        const double fs = 1024;
        var r = new Random(5);
        var x = new double[1 << 18];
        for (int i = 0; i < x.Length; i += 2)
        {
            double u1 = 1 - r.NextDouble(), u2 = r.NextDouble();
            double rad = Math.Sqrt(-2 * Math.Log(u1));
            x[i] = rad * Math.Cos(2 * Math.PI * u2);
            x[i + 1] = rad * Math.Sin(2 * Math.PI * u2);
        }
        var p = Welch.Estimate(x, fs, 1024, avg);
        Assert.Equal(1.0, p.DeltaF);
        var mid = p.Values.Skip(10).Take(400).Average();
        Assert.InRange(mid, 2 / fs * 0.97, 2 / fs * 1.03);
    }

    [Fact]
    public void MedianBiasMatchesScipy()
    {
        // scipy.signal._spectral_py._median_bias(n) for n = 1, 2, 3, 9
        Assert.Equal(1.0, Welch.MedianBias(1), 12);
        Assert.Equal(1.0, Welch.MedianBias(2), 12);
        Assert.Equal(1 + 1.0 / 3 - 0.5, Welch.MedianBias(3), 12);
        Assert.Equal(0.7456349206349207, Welch.MedianBias(9), 12);
    }

    [Fact]
    public void SineAppearsAtItsFrequency()
    {
        const double fs = 2048;
        var x = new double[1 << 16];
        for (int i = 0; i < x.Length; i++) x[i] = Math.Sin(2 * Math.PI * 100 * i / fs);
        var p = Welch.Estimate(x, fs, 2048, WelchAverage.Mean);
        int peak = Array.IndexOf(p.Values, p.Values.Max());
        Assert.Equal(100.0, p.FrequencyAt(peak));
    }
}
