using System.Globalization;
using Noise.Core;
using Noise.IO;

namespace Noise.Cli.Commands;

/// <summary>File naming and writer creation shared by simulate and merge, so both produce the same files.</summary>
internal static class Outputs
{
    public static readonly string[] Formats = ["parquet", "hdf5"];

    public static IEnumerable<string> Expand(string format) => format == "both" ? Formats : [format];

    public static IStrainWriter Create(string format, string dir, string stem, StrainMetadata meta) => format switch
    {
        "parquet" => new ParquetStrainWriter(Path.Combine(dir, stem + ".parquet"), meta),
        "hdf5" => new GwoscHdf5Writer(Path.Combine(dir, stem + ".hdf5"), meta),
        "gwf" => new Noise.IO.Frames.GwfStrainWriter(Path.Combine(dir, stem + ".gwf"), meta),
        _ => throw new NoiseInputException($"unknown format '{format}'"),
    };

    /// <summary>The file of a run folder that its run.json lists with this format.</summary>
    public static string FileOfFormat(string dir, string format)
    {
        var files = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run.json")))!["files"]!.AsArray();
        var f = files.FirstOrDefault(x => x!["format"]!.GetValue<string>() == format)
            ?? throw new NoiseInputException($"{dir}/run.json lists no {format} file");
        return Path.Combine(dir, f["path"]!.GetValue<string>());
    }

    public static bool HasFormat(string dir, string format) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run.json")))!["files"]!.AsArray()
            .Any(x => x!["format"]!.GetValue<string>() == format);

    /// <summary>GWOSC/frame-style name: {obs}-{IFO}_NOISE_{SCENARIO}-{gps}-{duration}.</summary>
    public static string FileStem(string scenarioName, string detector, GpsTime start, double duration)
    {
        var tag = new string(scenarioName.ToUpperInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
        var dur = duration == Math.Floor(duration) ? ((long)duration).ToString(CultureInfo.InvariantCulture) : duration.ToString("R", CultureInfo.InvariantCulture);
        return $"{detector[..1]}-{detector}_NOISE_{tag}-{start}-{dur}";
    }
}
