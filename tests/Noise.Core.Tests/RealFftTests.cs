using Noise.Core;

namespace Noise.Core.Tests;

/// <summary>The float64 real FFT the conditioning runs on, against a direct DFT with exactly reduced angles.</summary>
public class RealFftTests
{
    private static (double[] Re, double[] Im) Dft(double[] x)
    {
        int n = x.Length;
        var re = new double[n / 2 + 1];
        var im = new double[n / 2 + 1];
        for (int k = 0; k <= n / 2; k++)
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                // k t mod n keeps the angle exact to the last bit of a double
                double a = -2 * Math.PI * (int)((long)k * t % n) / n;
                sr += x[t] * Math.Cos(a);
                si += x[t] * Math.Sin(a);
            }
            re[k] = sr;
            im[k] = si;
        }
        return (re, im);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(2048)]
    public void ForwardAndInverseMatchTheDftToDoublePrecision(int n)
    {
        var rng = new Random(n);
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = rng.NextDouble() - 0.5 + 1e3 * Math.Sin(0.01 * i);   // a loud low tone, as real strain's seismic band
        var (re, im) = Dft(x);
        var bins = new double[n + 2];
        RealFft<double>.ForThread(n).Forward(x, bins);
        double scale = 0;
        foreach (var v in x) scale = Math.Max(scale, Math.Abs(v));
        for (int k = 0; k <= n / 2; k++)
        {
            Assert.Equal(re[k], bins[2 * k], 1e-12 * scale * n);
            Assert.Equal(im[k], bins[2 * k + 1], 1e-12 * scale * n);
        }
        // irfft times n brings the data back
        var back = new double[n];
        new RealFft<double>(n).Inverse(bins, back);
        for (int t = 0; t < n; t++) Assert.Equal(x[t], back[t] / n, 1e-12 * scale);
    }

    [Fact]
    public void ALengthThatIsNoPowerOfTwoIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new RealFft<double>(48));
        Assert.Throws<ArgumentException>(() => new RealFft<double>(2));
    }
}

/// <summary>The complex transform under both precisions' pass structures (radix-4 and a last radix-2 pass in float64, radix-2 in float32), against a direct DFT.</summary>
public class StockhamFftTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(512)]
    [InlineData(2048)]
    public void TheInverseMatchesTheDft(int m)
    {
        var rng = new Random(m);
        var re = new double[m];
        var im = new double[m];
        for (int i = 0; i < m; i++) { re[i] = rng.NextDouble() - 0.5; im[i] = rng.NextDouble() - 0.5; }
        var fr = new float[m];
        var fi = new float[m];
        for (int i = 0; i < m; i++) { fr[i] = (float)re[i]; fi[i] = (float)im[i]; }
        var (dr, di) = new StockhamFft<double>(m).Transform((double[])re.Clone(), (double[])im.Clone());
        var (sr, si) = new StockhamFft<float>(m).Transform(fr, fi);
        for (int t = 0; t < m; t++)
        {
            double xr = 0, xi = 0;
            for (int k = 0; k < m; k++)
            {
                double a = 2 * Math.PI * (int)((long)k * t % m) / m;
                xr += re[k] * Math.Cos(a) - im[k] * Math.Sin(a);
                xi += re[k] * Math.Sin(a) + im[k] * Math.Cos(a);
            }
            Assert.Equal(xr, dr[t], 1e-12 * m);
            Assert.Equal(xi, di[t], 1e-12 * m);
            Assert.Equal(xr, sr[t], 1e-5 * m);
            Assert.Equal(xi, si[t], 1e-5 * m);
        }
    }
}
