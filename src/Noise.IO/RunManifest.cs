using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noise.Core;

namespace Noise.IO;

/// <summary>One output file as the manifest lists it.</summary>
public sealed record ManifestFile(string Path, string Format, long Bytes, string Sha256);

/// <summary>
/// run.json: what was run (resolved scenario, seed, GPS range, device, software version) and what came out
/// (files with sizes and SHA-256), so a result can be checked and reproduced later.
/// </summary>
public static class RunManifest
{
    /// <param name="sha256">The file's SHA-256 when its writer took it while writing (<see cref="HashingStream"/>); otherwise the file is read and hashed here.</param>
    public static ManifestFile Describe(string path, string format, string relativeTo, string? sha256 = null)
    {
        if (sha256 is null)
        {
            using var s = File.OpenRead(path);
            sha256 = Convert.ToHexStringLower(SHA256.HashData(s));
        }
        return new ManifestFile(System.IO.Path.GetRelativePath(relativeTo, path), format, new FileInfo(path).Length, sha256);
    }

    public static void Write(string path, Scenario scenario, string scenarioHash, GpsTime gpsStart, double duration,
        string device, string fft, string softwareVersion, IEnumerable<ManifestFile> files, JsonObject? extra = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var root = new JsonObject
        {
            ["manifest_version"] = 1,
            ["software"] = new JsonObject { ["name"] = "noise", ["version"] = softwareVersion },
            ["created_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["scenario"] = JsonNode.Parse(scenario.ToJson()),
            ["scenario_file"] = scenario.SourcePath,
            ["scenario_hash"] = scenarioHash,
            ["seed"] = scenario.Seed,
            ["gps_start"] = gpsStart.ToDecimal(),
            ["duration"] = duration,
            ["sample_rate"] = scenario.SampleRate,
            ["channel"] = scenario.Channel,
            ["device"] = device,
            ["fft"] = fft,
            ["files"] = JsonSerializer.SerializeToNode(files.ToList(), Scenario.JsonOptions),
        };
        if (extra is not null)
            foreach (var (k, v) in extra) root[k] = v?.DeepClone();
        AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
