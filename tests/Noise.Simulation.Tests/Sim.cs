using Noise.Core;

namespace Noise.Simulation.Tests;

/// <summary>Builds scenarios and runs the engine into arrays for tests.</summary>
internal static class Sim
{
    public static string RepoRoot() => Noise.TestSupport.RepoPaths.RepoRoot();

    /// <summary>The Virgo O3 scenario's noise alone (its glitches removed): what the noise tests measure.</summary>
    public static Scenario O3() => ScenarioLoader.Load(Noise.TestSupport.RepoPaths.Config("virgo-o3.yaml")) with { Glitches = [], Injections = null, Lines = [] };

    /// <summary>Unit-PSD white noise from 0 Hz: the most sensitive scenario for seams and tails.</summary>
    public static Scenario White(int rate = 4096) => new()
    {
        Name = "white",
        SampleRate = rate,
        FLow = 0,
        Seed = 11,
        Psd = new PsdSpec { Model = "white" },
    };

    /// <param name="vectorBins">The CPU's AVX2 bins (the default) or the ILGPU kernel CUDA runs (<see cref="NoiseEngine.NativeCpu"/>).</param>
    public static float[] Run(Scenario s, double startOffsetSeconds, double seconds, double block = 64, int threads = 2,
        DeviceChoice device = DeviceChoice.Cpu, SignalComponents components = SignalComponents.All, bool vectorBins = true)
    {
        using var dev = ComputeDevice.Create(device, threads);
        using var engine = new NoiseEngine(dev, s, block, components) { NativeCpu = vectorBins };
        long first = s.GpsStart.ToSampleIndex(s.SampleRate) + (long)Math.Round(startOffsetSeconds * s.SampleRate);
        var n = (long)Math.Round(seconds * s.SampleRate);
        var x = new float[n];
        long expect = first;
        engine.Generate(first, n, (span, at) =>
        {
            Assert.Equal(expect, at);
            span.CopyTo(x.AsSpan((int)(at - first)));
            expect += span.Length;
        });
        Assert.Equal(first + n, expect);
        return x;
    }

    /// <summary>Events that lie wholly inside the run x (starting at absolute sample first) and overlap no other, with their samples.</summary>
    public static IEnumerable<(Transients.PlacedEvent Event, double[] Samples)> IsolatedEvents(Transients.GlitchPopulation pop, float[] x, long first)
    {
        var placed = pop.Overlapping(first, first + x.Length);
        foreach (var e in placed)
        {
            if (e.FirstSample < first || e.EndSample > first + x.Length) continue;
            if (placed.Any(o => o != e && o.FirstSample < e.EndSample && o.EndSample > e.FirstSample)) continue;
            var h = new double[e.EndSample - e.FirstSample];
            for (long i = 0; i < h.Length; i++) h[i] = x[e.FirstSample - first + i];
            yield return (e, h);
        }
    }

    public static (double Mean, double Variance, double Kurtosis) Moments(ReadOnlySpan<float> x)
    {
        double m = 0;
        foreach (var v in x) m += v;
        m /= x.Length;
        double m2 = 0, m4 = 0;
        foreach (var v in x) { double d = v - m; m2 += d * d; m4 += d * d * d * d; }
        m2 /= x.Length;
        m4 /= x.Length;
        return (m, m2, m4 / (m2 * m2));
    }
}
