using Noise.Core;
using Noise.IO;
using Noise.Simulation;
using Noise.Simulation.Environment;

namespace Noise.Cli.Commands;

/// <summary>
/// The files beside the strain that are not strain: the 1 Hz state vector and the auxiliary witness channels,
/// each at its own rate. Shared by simulate and merge so both name and lay them out the same way.
/// </summary>
internal static class AuxOutputs
{
    public const string WitnessPrefix = "witness:";

    /// <summary>GPS seconds [first, end) whose state the file for strain samples [firstSample, endSample) holds.</summary>
    public static (long First, long End) StateSeconds(long firstSample, long endSample, int fs) =>
        (SampleMath.FloorDiv(firstSample, fs), SampleMath.CeilDiv(endSample, fs));

    /// <summary>The witness samples [first, end) that belong to strain samples [firstSample, endSample).</summary>
    public static (long First, long End) WitnessRange(long firstSample, long endSample, int fs, int fw) =>
        (SampleMath.Rescale(firstSample, fs, fw), SampleMath.Rescale(endSample, fs, fw));

    public static string StatePath(string dir, string scenarioName, string detector, GpsTime start, double duration) =>
        Path.Combine(dir, Outputs.FileStem(scenarioName + "_state_vector", detector, start, duration) + ".parquet");

    public static string WitnessPath(string dir, string scenarioName, string channel, GpsTime start, double duration)
    {
        var parts = channel.Split(':');
        return Path.Combine(dir, Outputs.FileStem(scenarioName + "_" + parts[1], parts[0], start, duration) + ".parquet");
    }

    public static StrainMetadata WitnessMeta(StrainMetadata strain, WitnessSpec w, long first, long count) => strain with
    {
        Channel = w.Name,
        SampleRate = w.SampleRate,
        GpsStart = GpsTime.FromSampleIndex(first, w.SampleRate),
        Samples = count,
        Unit = w.Unit,
        StateBySecond = null,
    };

    /// <summary>Simulates and writes every witness channel for strain samples [firstSample, firstSample + samples).</summary>
    public static List<(string Path, string Format)> WriteWitnesses(ComputeDevice device, Scenario scenario, DisturbancePopulation? disturbances,
        StrainMetadata strainMeta, string dir, long firstSample, long samples, double blockSeconds, CancellationToken cancel)
    {
        var files = new List<(string, string)>();
        foreach (var w in scenario.Witnesses)
        {
            var (first, end) = WitnessRange(firstSample, firstSample + samples, scenario.SampleRate, w.SampleRate);
            if (end <= first) continue;
            var meta = WitnessMeta(strainMeta, w, first, end - first);
            using var writer = new ParquetStrainWriter(WitnessPath(dir, scenario.Name, w.Name, strainMeta.GpsStart, strainMeta.Duration), meta, WitnessPrefix + w.Name);
            using var engine = new WitnessEngine(device, scenario, w, disturbances, blockSeconds);
            engine.Generate(first, end - first, (span, _) => writer.Append(span), cancel);
            writer.Complete();
            files.Add((writer.FinalPath, writer.Format));
            Console.Error.WriteLine($"witness {w.Name} (on {device.Description}): {end - first} samples at {w.SampleRate} Hz ({w.Kind.ToString().ToLowerInvariant()}, floor {w.Floor:G3} {w.Unit}/sqrt(Hz))");
        }
        return files;
    }
}
