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
    /// <summary>run.json's format of a witness file: "witness:CHANNEL" (Parquet), "witness-hdf5:CHANNEL" or "witness-gwf:CHANNEL".</summary>
    public const string WitnessPrefix = "witness:";
    public const string WitnessHdf5Prefix = "witness-hdf5:";
    public const string WitnessGwfPrefix = "witness-gwf:";

    /// <summary>The run.json format of channel's witness file written as fileFormat ("parquet", "hdf5" or "gwf").</summary>
    public static string WitnessFormat(string fileFormat, string channel) =>
        (fileFormat switch { "hdf5" => WitnessHdf5Prefix, "gwf" => WitnessGwfPrefix, _ => WitnessPrefix }) + channel;

    /// <summary>The file format and channel of a run.json witness format, or null for any other file.</summary>
    public static (string FileFormat, string Channel)? ParseWitnessFormat(string format) =>
        format.StartsWith(WitnessHdf5Prefix, StringComparison.Ordinal) ? ("hdf5", format[WitnessHdf5Prefix.Length..])
        : format.StartsWith(WitnessGwfPrefix, StringComparison.Ordinal) ? ("gwf", format[WitnessGwfPrefix.Length..])
        : format.StartsWith(WitnessPrefix, StringComparison.Ordinal) ? ("parquet", format[WitnessPrefix.Length..])
        : null;

    /// <summary>GPS seconds [first, end) whose state the file for strain samples [firstSample, endSample) holds.</summary>
    public static (long First, long End) StateSeconds(long firstSample, long endSample, int fs) =>
        (SampleMath.FloorDiv(firstSample, fs), SampleMath.CeilDiv(endSample, fs));

    /// <summary>The witness samples [first, end) that belong to strain samples [firstSample, endSample).</summary>
    public static (long First, long End) WitnessRange(long firstSample, long endSample, int fs, int fw) =>
        (SampleMath.Rescale(firstSample, fs, fw), SampleMath.Rescale(endSample, fs, fw));

    public static string StatePath(string dir, string scenarioName, string detector, GpsTime start, double duration) =>
        Path.Combine(dir, Outputs.FileStem(scenarioName + "_state_vector", detector, start, duration) + ".parquet");

    public static string WitnessPath(string dir, string scenarioName, string channel, GpsTime start, double duration, string fileFormat = "parquet")
    {
        var parts = channel.Split(':');
        return Path.Combine(dir, Outputs.FileStem(scenarioName + "_" + parts[1], parts[0], start, duration) + "." + fileFormat);
    }

    /// <summary>A witness channel's writer in the given file format, listed in run.json by <see cref="WitnessFormat"/>.</summary>
    public static IStrainWriter CreateWitnessWriter(string fileFormat, string dir, string scenarioName, GpsTime runStart, double runDuration, StrainMetadata witnessMeta)
    {
        string path = WitnessPath(dir, scenarioName, witnessMeta.Channel, runStart, runDuration, fileFormat);
        string format = WitnessFormat(fileFormat, witnessMeta.Channel);
        return fileFormat switch
        {
            "parquet" => new ParquetStrainWriter(path, witnessMeta, format),
            "hdf5" => new GwoscHdf5Writer(path, witnessMeta, format),
            "gwf" => new Noise.IO.Frames.GwfStrainWriter(path, witnessMeta, format),
            _ => throw new NoiseInputException($"unknown format '{fileFormat}'"),
        };
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

    /// <summary>
    /// Simulates and writes every witness channel for strain samples [firstSample, firstSample + samples), in each
    /// of the run's file formats (the strain's: a run asked for HDF5 gets HDF5 witnesses too).
    /// </summary>
    public static List<(string Path, string Format)> WriteWitnesses(ComputeDevice device, Scenario scenario, DisturbancePopulation? disturbances,
        StrainMetadata strainMeta, string dir, IReadOnlyList<string> fileFormats, long firstSample, long samples, double blockSeconds, CancellationToken cancel)
    {
        var files = new List<(string, string)>();
        foreach (var w in scenario.Witnesses)
        {
            var (first, end) = WitnessRange(firstSample, firstSample + samples, scenario.SampleRate, w.SampleRate);
            if (end <= first) continue;
            var meta = WitnessMeta(strainMeta, w, first, end - first);
            var writers = new List<IStrainWriter>();
            try
            {
                foreach (var f in fileFormats) writers.Add(CreateWitnessWriter(f, dir, scenario.Name, strainMeta.GpsStart, strainMeta.Duration, meta));
                using var engine = new WitnessEngine(device, scenario, w, disturbances, blockSeconds);
                engine.Generate(first, end - first, (span, _) => { foreach (var x in writers) x.Append(span); }, cancel);
                foreach (var x in writers)
                {
                    x.Complete();
                    files.Add((x.FinalPath, x.Format));
                }
            }
            finally
            {
                foreach (var x in writers) x.Dispose();
            }
            Console.Error.WriteLine($"witness {w.Name} (on {device.Description}): {end - first} samples at {w.SampleRate} Hz ({w.Kind.ToString().ToLowerInvariant()}, floor {w.Floor:G3} {w.Unit}/sqrt(Hz))");
        }
        return files;
    }
}
