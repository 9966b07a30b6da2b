using Noise.Core;
using Noise.Detection.Calibration;
using Noise.Detection.Model;

namespace Noise.Detection.Tests;

public class CalibrationTests
{
    /// <summary>White noise of one-sided PSD S plus three sinusoids of known frequency and amplitude.</summary>
    private static (StrainPiece Piece, double Psd) NoiseWithLines(double seconds, (double F, double A)[] lines, int seed = 3)
    {
        const int fs = 4096;
        const double sigma = 1e-21;
        var rng = new Random(seed);
        var x = new double[(int)(seconds * fs)];
        for (int i = 0; i < x.Length; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            x[i] = sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            foreach (var (f, a) in lines) x[i] += a * Math.Sin(2 * Math.PI * f * i / fs + f);
        }
        return (new StrainPiece("synthetic", fs, 1e9, x), 2 * sigma * sigma / fs);
    }

    [Fact]
    public void TheMeasurementFindsKnownLinesWithTheirAmplitudesAndTheFloorUnderThem()
    {
        // line amplitudes as multiples of the noise: sqrt(S) is 2.2e-23 per sqrt(Hz)
        (double F, double A)[] lines = [(60.3, 4e-22), (123.45, 1.5e-22), (400.1, 1e-21)];
        var (piece, s) = NoiseWithLines(64, lines);
        var m = StrainMeasurement.Measure([piece], new MeasurementSettings { FLow = 10 });
        foreach (var (f, a) in lines)
        {
            var found = m.Lines.Where(l => Math.Abs(l.Frequency - f) < 0.05).ToList();
            Assert.True(found.Count == 1, $"line at {f} Hz: found {string.Join(", ", m.Lines.Select(l => l.Frequency.ToString("F2")))}");
            Assert.InRange(found[0].Amplitude / a, 0.85, 1.15);
        }
        // white noise holds no other line above 5x its floor (a bin of 15 segments' median reaches that ~never)
        Assert.Equal(lines.Length, m.Lines.Count);
        var band = Enumerable.Range(0, m.Floor.Length).Where(j => m.Floor.FrequencyAt(j) is >= 200 and < 300).Select(j => m.Floor.Values[j]).ToList();
        Assert.InRange(band.Average() / s, 0.95, 1.05);
        // stationary Gaussian noise: band power varies as the Gaussian scatter says, and every band's Rayleigh
        // statistic is the same (std/mean of a few chi-squared(2) periodograms)
        foreach (var b in m.Bands)
        {
            Assert.InRange(b.RmsVariation / b.GaussianRmsVariation, 0.3, 2.5);
            Assert.InRange(b.Rayleigh, 0.75, 0.95);
        }
        Assert.Empty(Calibrator.Breathing(m, 64));
    }

    [Fact]
    public void TriggersAreGivenTheirClosestFamily()
    {
        QTrigger T(double f, double d, double snr = 10) => new(0, f, 0, d, f, f, snr, 10, 0, 0);
        Assert.Equal("Scattered_Light", Calibrator.FamilyOf(T(20, 3)));
        Assert.Equal("Low_Frequency_Burst", Calibrator.FamilyOf(T(20, 0.2)));
        Assert.Equal("Tomte", Calibrator.FamilyOf(T(45, 0.1)));
        Assert.Equal("Blip", Calibrator.FamilyOf(T(150, 0.02)));
        Assert.Equal("Extremely_Loud", Calibrator.FamilyOf(T(150, 0.02, 500)));
        Assert.Equal("Whistle", Calibrator.FamilyOf(T(700, 0.2)));
        Assert.Equal("Blip", Calibrator.FamilyOf(T(3600, 0.01)));
    }

    /// <summary>The training noise's variety is a pure function of (seed, stretch), and its lines stand where it says above the noise.</summary>
    [Fact]
    public void NoiseVarietyIsReproducibleAndItsLinesHaveTheRatioItDraws()
    {
        var variety = new NoiseVariety { ForestProbability = 1, EnvelopeProbability = 0, MaxLines = 20, LineRatio = new ParamRange(20, 21) };
        const int fs = 4096;
        var flat = new PsdCurve([1, 2048], [1e-46, 1e-46], "flat");
        var (piece, s) = NoiseWithLines(64, []);
        var a = (double[])piece.Data.Clone();
        var b = (double[])piece.Data.Clone();
        variety.Apply(a, 0, fs, flat, 7, 3);
        variety.Apply(b, 0, fs, flat, 7, 3);
        Assert.Equal(a, b);
        var c = (double[])piece.Data.Clone();
        variety.Apply(c, 0, fs, flat, 7, 4);
        Assert.NotEqual(a, c);
        // drawn against a curve equal to the noise's PSD, a lone line's mean power stands 20x above the floor: 29x at a
        // bin's centre once the median average's bias correction (1/0.70) is applied to it, less off-centre or where
        // it wanders, up to ~1.3x more where its beating lifts the median segment over the mean; an amplitude twice
        // too large would put it at 80-150x
        var level = new PsdCurve([1, 2048], [s, s], "the noise's PSD");
        var one = variety with { MaxLines = 1 };
        var peaks = new List<double>();
        for (int index = 0; index < 6; index++)
        {
            var d = (double[])piece.Data.Clone();
            one.Apply(d, 0, fs, level, 7, index);
            peaks.AddRange(StrainMeasurement.Measure([piece with { Data = d }], new MeasurementSettings { FLow = 10 }).Lines.Select(l => l.PeakOverFloor));
        }
        Assert.True(peaks.Count >= 3, $"{peaks.Count} lines found");
        Assert.All(peaks, p => Assert.InRange(p, 5, 45));
        Assert.Equal(variety.CurveOf(7, 11), variety.CurveOf(7, 11));
    }

    /// <summary>Band breathing swells and shrinks the band's PSD as (1 + m sin)^2 and leaves the rest of the spectrum alone.</summary>
    [Fact]
    public void BreathingBandsModulateTheirBandOnly()
    {
        const int fs = 4096;
        var rng = new Random(5);
        var x = new double[128 * fs];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() - 0.5;
        var y = (double[])x.Clone();
        // period 64 s, peak of the sine at t = 32 s, trough at t = 64 s
        NoiseVariety.BreatheBands(y, 0, fs, [(100, 200, 0.4, 64, -Math.PI / 2)]);
        var settings = new ConditioningSettings();
        double Mean(double[] d, int t0, double lo, double hi)
        {
            var psd = Conditioning.EstimatePsd(d.AsSpan(t0 * fs, 16 * fs), fs, settings);
            double sum = 0;
            int count = 0;
            for (int j = 0; j < psd.Length; j++)
                if (psd.FrequencyAt(j) >= lo && psd.FrequencyAt(j) <= hi) { sum += psd.Values[j]; count++; }
            return sum / count;
        }
        // over +-8 s about the peak (1 + 0.4 sin)^2 averages ~1.85, about the trough ~0.41
        Assert.InRange(Mean(y, 24, 120, 180) / Mean(x, 24, 120, 180), 1.6, 2.1);
        Assert.InRange(Mean(y, 56, 120, 180) / Mean(x, 56, 120, 180), 0.33, 0.5);
        Assert.InRange(Mean(y, 24, 400, 1500) / Mean(x, 24, 400, 1500), 0.999, 1.001);
        // a stretch drawn with breathing differs from the same draw without it only through its own stream
        var with = new NoiseVariety { ForestProbability = 0, EnvelopeProbability = 0, BreathingProbability = 1 };
        var a = (double[])x.Clone();
        var b = (double[])x.Clone();
        with.Apply(a, 0, fs, new PsdCurve([1, 2048], [1e-46, 1e-46], "flat"), 7, 3);
        with.Apply(b, 0, fs, new PsdCurve([1, 2048], [1e-46, 1e-46], "flat"), 7, 3);
        Assert.Equal(a, b);
        Assert.NotEqual(x, a);
    }
}

public class IdealSearchTests
{
    /// <summary>
    /// The ideal matched search's efficiency at 1/h against scipy's Rice tails (docs/detector.md, "Why SNR 5-6 at
    /// 0.50 is out of reach", computed with scipy.stats.ncx2 on 2026-11-26): N = 1 template reaches 0.52 at SNR 5
    /// and 0.85 at 6; N = 100, 0.21 at 5 and 0.99 at 8; N = 1000, 0.42 at 6.
    /// </summary>
    [Theory]
    [InlineData(1, 5.0, 0.52)]
    [InlineData(1, 6.0, 0.85)]
    [InlineData(100, 5.0, 0.21)]
    [InlineData(100, 6.0, 0.57)]
    [InlineData(100, 8.0, 0.99)]
    [InlineData(1000, 6.0, 0.42)]
    [InlineData(10000, 8.0, 0.92)]
    public void TheIdealSearchMatchesScipysRiceTails(double templates, double snr, double expected)
    {
        double threshold = 2 * Math.Log(IdealSearch.TriesPerHourPerTemplate * templates);
        Assert.Equal(expected, IdealSearch.NonCentralChiSquaredTail(2, snr * snr, threshold), 2);
    }

    [Fact]
    public void CentralTailsAndGammaAreRight()
    {
        // chi-squared with 2 dof: P(X > x) = exp(-x/2); with 4 dof: (1 + x/2) exp(-x/2)
        Assert.Equal(Math.Exp(-3), IdealSearch.NonCentralChiSquaredTail(2, 0, 6), 12);
        Assert.Equal(4 * Math.Exp(-3), IdealSearch.UpperGamma(2, 3), 12);
        Assert.Equal(Math.Log(24), IdealSearch.LogGamma(5), 10);
        // a loud glitch is always found, a faint one almost never
        Assert.True(IdealSearch.Efficiency("Blip", 20) > 0.999);
        Assert.True(IdealSearch.Efficiency("Scattered_Light", 4) < 0.01);
        Assert.True(IdealSearch.Efficiency("Scattered_Light", 8) < IdealSearch.Efficiency("Blip", 8));
    }
}
