using Noise.Core;
using Noise.Simulation;

namespace Noise.TestSupport;

/// <summary>
/// Stationary twin noise (no lock losses, no breathing) of a shipped scenario (or any scenario file by path) as
/// doubles, with its lines where asked: what the conditioning and streaming tests whiten. Linked only into test
/// projects that reference the engine.
/// </summary>
internal static class TwinNoise
{
    public static (double[] X, Scenario S) Generate(double seconds, long seed, string config = "virgo-o3.yaml", SignalComponents components = SignalComponents.Noise)
    {
        var s = ScenarioLoader.Load(RepoPaths.Config(config)) with { Seed = seed, Lock = null, Breathing = [] };
        using var dev = ComputeDevice.Create(DeviceChoice.Cpu, 2);
        using var engine = new NoiseEngine(dev, s, 64, components);
        long first = s.GpsStart.ToSampleIndex(s.SampleRate);
        var x = new double[(long)(seconds * s.SampleRate)];
        engine.Generate(first, x.Length, (span, at) => { for (int i = 0; i < span.Length; i++) x[at - first + i] = span[i]; });
        return (x, s);
    }
}
