using Noise.Core;
using System.Numerics;

namespace Noise.Detection.Tests;

public class QTransformTests
{
    internal static double[] WhiteNoise(int n, int seed)
    {
        var r = new Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i += 2)
        {
            double u1 = 1 - r.NextDouble(), u2 = r.NextDouble(), rad = Math.Sqrt(-2 * Math.Log(u1));
            x[i] = rad * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < n) x[i + 1] = rad * Math.Sin(2 * Math.PI * u2);
        }
        return x;
    }

    [Fact]
    public void ComplexFftRoundTrips()
    {
        var r = new Random(1);
        var a = Enumerable.Range(0, 256).Select(_ => new Complex(r.NextDouble(), r.NextDouble())).ToArray();
        var b = (Complex[])a.Clone();
        ComplexFft.Forward(b);
        // DC bin is the sum
        var sum = a.Aggregate(Complex.Zero, (s, v) => s + v);
        Assert.True((b[0] - sum).Magnitude < 1e-9);
        ComplexFft.Inverse(b);
        for (int i = 0; i < a.Length; i++) Assert.True((b[i] / a.Length - a[i]).Magnitude < 1e-12);
    }

    [Fact]
    public void GaussianNoiseHasUnitNormalisedEnergy()
    {
        const int fs = 2048;
        var x = WhiteNoise(64 * fs, 3);
        var plane = QTransform.Scan(new StrainWindow(x, fs, 1000), 1032, 4, qMin: 8, qMax: 8, fMin: 20, fMax: 800);
        var all = new List<double>();
        foreach (var v in plane.Energy) all.Add(v);
        Assert.InRange(all.Average(), 0.9, 1.1);
        Assert.True(plane.Peak().Energy < 25, $"no loud tile in pure noise, got {plane.Peak().Energy}");
    }

    [Fact]
    public void FindsASineGaussianAtItsTimeAndFrequency()
    {
        const int fs = 4096;
        var x = WhiteNoise(64 * fs, 7);
        double t0 = 1032.25, f0 = 180, q = 8, tau = q / (Math.Sqrt(2) * Math.PI * f0);
        // amplitude for a whitened SNR of ~20: rho^2 = sum h^2 * 2/fs ... for unit-variance white noise S = 2/fs
        double amp = 20 / Math.Sqrt(Math.Sqrt(Math.PI / 2) * tau * fs / 2 * 2 / fs * fs / 2);
        for (int i = 0; i < x.Length; i++)
        {
            double dt = 1000 + (double)i / fs - t0;
            x[i] += amp * Math.Exp(-dt * dt / (tau * tau)) * Math.Sin(2 * Math.PI * f0 * dt);
        }
        var plane = QTransform.Scan(new StrainWindow(x, fs, 1000), 1032, 2, fMin: 20, fMax: 1000);
        var (e, t, f) = plane.Peak();
        Assert.InRange(t, t0 - 0.02, t0 + 0.02);
        Assert.InRange(f, f0 / 1.2, f0 * 1.2);
        Assert.True(e > 50, $"peak energy {e}");
        Assert.InRange(plane.Q, 4, 16);
    }
}

public class SelectionTests
{
    [Fact]
    public void KthAgreesWithSortingOnRandomAndTiedData()
    {
        var r = new Random(3);
        foreach (int n in new[] { 1, 2, 3, 8, 101, 4096 })
        {
            foreach (bool ties in new[] { false, true })
            {
                var a = Enumerable.Range(0, n).Select(_ => ties ? Math.Floor(r.NextDouble() * 5) : r.NextDouble()).ToArray();
                var sorted = a.OrderBy(v => v).ToArray();
                foreach (int k in new[] { 0, n / 2, n - 1 })
                    Assert.Equal(sorted[k], Selection.Kth(a.ToArray(), k));
            }
        }
    }

    /// <summary>
    /// A stream's notch can switch on partway through a baseline segment: the band then holds unit noise for the
    /// segment's first half and nothing after. Each Q row is normalised by its median tile energy, which the empty
    /// half drags towards zero, so the tiles before the notch stood out (a 197 Hz cluster at SNR 8-16 in glitch-free
    /// O3 streams). Handed the stream's notched bands, the search removes them from the whole segment and skips
    /// those rows, as block whitening does.
    /// </summary>
    [Fact]
    public void ANotchThatSwitchesOnMidSegmentRaisesNoTilesWhenTheSearchKnowsIt()
    {
        const int fs = 2048;
        var x = QTransformTests.WhiteNoise(32 * fs, 11);
        // the band 189-209 Hz of x, faded out of the data over 1 s from t = 16 s
        var band = x.Select(v => new Complex(v, 0)).ToArray();
        ComplexFft.Forward(band);
        for (int k = 0; k < band.Length; k++)
        {
            double f = (k <= band.Length / 2 ? k : band.Length - k) * (double)fs / band.Length;
            if (f < 189 || f > 209) band[k] = Complex.Zero;
        }
        ComplexFft.Inverse(band);
        for (int i = 0; i < x.Length; i++)
        {
            double t = (double)i / fs, w = t < 16 ? 0 : t > 17 ? 1 : 0.5 - 0.5 * Math.Cos(Math.PI * (t - 16));
            x[i] -= w * band[i].Real / band.Length;
        }
        var white = new Core.FrequencySeries(0, 0.25, Enumerable.Repeat(2.0 / fs, 4 * fs / 2 + 1).ToArray());
        var cond = new ConditioningSettings { FLow = 11, FHigh = 900, NotchFactor = 0 };
        var settings = new QTriggerSettings { FMin = 11, FMax = 900 };
        static bool InBand(QTrigger q) => q.Frequency > 185 && q.Frequency < 213 && q.Snr >= 8;
        var blind = QTriggers.Find(x, fs, 0, white, cond, settings);
        var told = QTriggers.Find(x, fs, 0, white, cond, settings, [(189.0, 209.0)]);
        Assert.True(blind.Any(InBand), "the half-notched rows should stand out when the search is not told (else this test shows nothing)");
        Assert.DoesNotContain(told, InBand);
        Assert.True(told.Count(t => t.Snr >= 6) <= 3, string.Join("; ", told.Where(t => t.Snr >= 6).Select(t => $"{t.Time:F2} {t.Frequency:F0} Hz SNR {t.Snr:F1}")));
    }
}
