using Noise.Core;

namespace Noise.Simulation.Tests;

public class BreathingTests
{
    private static Scenario Breathing() => Sim.White(4096) with
    {
        Breathing = [new BreathingSpec { Name = "test", Band = new ParamRange(100, 300), Depth = 0.5, Period = 256 }],
    };

    [Fact]
    public void TheBandBreathesAndTheRestStaysStationary()
    {
        var s = Breathing();
        var x = Sim.Run(s, 0, 1024);
        var inBand = new List<double>();
        var outBand = new List<double>();
        int chunk = 16 * s.SampleRate;
        for (int c = 0; c + chunk <= x.Length; c += chunk)
        {
            var psd = Welch.Estimate(x.AsSpan(c, chunk), s.SampleRate, 4096, WelchAverage.Mean);
            double Band(double lo, double hi) => Enumerable.Range(0, psd.Length).Where(k => psd.FrequencyAt(k) >= lo && psd.FrequencyAt(k) < hi).Average(k => psd.Values[k]);
            inBand.Add(Band(120, 280));
            outBand.Add(Band(500, 900));
        }
        // gain 1 +- 0.5 on the ASD: the band's power swings by up to (1.5 / 0.5)^2 = 9 over a period
        Assert.InRange(inBand.Max() / inBand.Min(), 5, 12);
        Assert.InRange(outBand.Max() / outBand.Min(), 1, 1.3);
        // the mean level is the stationary one times <(1 + d sin)^2> = 1 + d^2 / 2 (unit PSD)
        Assert.InRange(inBand.Average(), 1.125 * 0.9, 1.125 * 1.1);
        Assert.InRange(outBand.Average(), 0.95, 1.05);
    }

    [Fact]
    public void BreathingKeepsTheDeterminismContract()
    {
        var s = Breathing();
        var whole = Sim.Run(s, 0, 100, block: 64);
        var parts = Sim.Run(s, 0, 37, block: 2).Concat(Sim.Run(s, 37, 63, block: 30, threads: 1)).ToArray();
        Assert.Equal(whole, parts);
    }
}
