using Noise.Core;
using Noise.Simulation.Environment;

namespace Noise.Simulation.Tests;

public class EnvironmentTests
{
    private static Scenario O3Full() => ScenarioLoader.Load(Noise.TestSupport.RepoPaths.Config("virgo-o3.yaml"));

    private static float[] Witness(Scenario s, WitnessSpec w, long first, long n, double block, DeviceChoice device = DeviceChoice.Cpu, bool disturbances = true)
    {
        using var dev = ComputeDevice.Create(device, 2);
        using var engine = new WitnessEngine(dev, s, w, disturbances ? new DisturbancePopulation(s) : null, block);
        var x = new float[n];
        engine.Generate(first, n, (span, at) => span.CopyTo(x.AsSpan((int)(at - first))));
        return x;
    }

    [Fact]
    public void WitnessFloorHasTheConfiguredDensityAndIsTheSameForAnyBlock()
    {
        var s = O3Full();
        var w = s.Witnesses.First(x => x.Kind == WitnessKind.Microphone);
        long first = s.GpsStart.ToSampleIndex(w.SampleRate) + 3;   // not on a 4-sample boundary
        var a = Witness(s, w, first, 200_000, 64, disturbances: false);
        var b = Witness(s, w, first, 200_000, 1.7, disturbances: false);
        Assert.Equal(a, b);
        double v = a.Select(x => (double)x * x).Average();
        double expect = w.Floor * w.Floor * w.SampleRate / 2;
        Assert.InRange(v / expect, 0.98, 1.02);
        // a later start continues the same stream
        var c = Witness(s, w, first + 1000, 5000, 64, disturbances: false);
        Assert.Equal(a.AsSpan(1000, 5000).ToArray(), c);
    }

    [Fact]
    public void LockTimelineIsAPureFunctionOfTimeAndMatchesItsRate()
    {
        var s = O3Full() with { Lock = new LockSpec { LossRatePerHour = 2, Relock = new(60, 600), EarthquakeVelocity = double.PositiveInfinity } };
        var lk = new LockTimeline(s);
        long t0 = s.GpsStart.Seconds;
        var all = lk.States(t0, t0 + 200_000);
        // the same seconds asked for in pieces give the same states
        var piece = lk.States(t0 + 123_457, t0 + 130_000);
        Assert.Equal(all.AsSpan(123_457, 130_000 - 123_457).ToArray(), piece);
        Assert.Equal(all[77_777], lk.State(t0 + 77_777));
        // losses: count the ready -> unready transitions; 2/h over 55.6 h minus the time spent unlocked
        int losses = 0;
        for (int i = 1; i < all.Length; i++) if (LockTimeline.IsReady(all[i - 1]) && !LockTimeline.IsReady(all[i])) losses++;
        double downFraction = all.Count(x => !LockTimeline.IsReady(x)) / (double)all.Length;
        double expected = 2 * 200_000 / 3600.0 * (1 - downFraction);
        Assert.InRange(losses, expected - 4 * Math.Sqrt(expected), expected + 4 * Math.Sqrt(expected));
        // mean relock of log-uniform [60, 600] s is 540 / ln 10 = 234 s (merging overlaps shortens the count a little)
        Assert.InRange(downFraction, 0.08, 0.16);
    }

    [Fact]
    public void BigEarthquakesUnlockTheDetector()
    {
        var s = O3Full() with
        {
            Lock = new LockSpec { LossRatePerHour = 0, Relock = new(600, 600), EarthquakeVelocity = 1e-6 },
            Disturbances = [DisturbanceFamilies.Default("Earthquake") with { RatePerHour = 1, Amplitude = new(2e-6, 1e-5) }],
        };
        var lk = new LockTimeline(s);
        long t0 = s.GpsStart.Seconds;
        var states = lk.States(t0, t0 + 36_000);
        var quakes = Enumerable.Range((int)(t0 / 64), 36_000 / 64).SelectMany(w => DisturbancePopulation.Draws(s, w)).ToList();
        Assert.True(quakes.Count >= 3, $"{quakes.Count} earthquakes in 10 h at 1/h");
        foreach (var q in quakes.Where(q => q.Time > t0 + 1000 && q.Time < t0 + 35_000))
            Assert.False(LockTimeline.IsReady(states[(long)q.Time - t0]), $"earthquake at {q.Time} with {q.Amplitude:E1} m/s did not unlock");
    }

    [SkippableFact]
    public void WitnessCpuAndCudaAgree()
    {
        Skip.If(ComputeDevice.ListCudaDevices().Count == 0, "no CUDA device on this machine: witness CPU/CUDA agreement not checked here");
        var s = O3Full();
        foreach (var w in s.Witnesses)
        {
            long first = s.GpsStart.ToSampleIndex(w.SampleRate);
            var cpu = Witness(s, w, first, 64 * w.SampleRate, 16);
            var gpu = Witness(s, w, first, 64 * w.SampleRate, 16, DeviceChoice.Cuda);
            double num = 0, den = 0;
            for (int i = 0; i < cpu.Length; i++) { double d = cpu[i] - gpu[i]; num += d * d; den += cpu[i] * (double)cpu[i]; }
            Assert.True(Math.Sqrt(num / den) < 1e-5, $"{w.Name}: relative RMS difference {Math.Sqrt(num / den):E2}");
        }
    }
}
