using Noise.Core;

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

    [Fact]
    public void LinesKeepTheDeterminismContract()
    {
        var s = WithLines(amplitudeWander: 0.3);
        var whole = Sim.Run(s, 0, 70, block: 64);
        var parts = Sim.Run(s, 0, 33.25, block: 3).Concat(Sim.Run(s, 33.25, 36.75, block: 17, threads: 1)).ToArray();
        Assert.Equal(whole, parts);
    }
}
