using System.Globalization;
using System.Text.Json.Nodes;
using Noise.Core;

namespace Noise.IO;

/// <summary>One shard's run.json, as merge needs it.</summary>
public sealed record ShardInfo(string Directory, JsonNode Manifest, int Index, int Count, GpsTime GpsStart, double Duration)
{
    public string ScenarioHash => Manifest["scenario_hash"]!.GetValue<string>();
    public long Seed => Manifest["seed"]!.GetValue<long>();
    public string Version => Manifest["software"]!["version"]!.GetValue<string>();
    public string Channel => Manifest["channel"]!.GetValue<string>();
    public int SampleRate => Manifest["sample_rate"]!.GetValue<int>();
    public string Components => Manifest["components"]?.GetValue<string>() ?? "noise";
    public GpsTime RunGpsStart => GpsTime.FromDecimal(Manifest["run"]!["gps_start"]!.GetValue<decimal>());
    public double RunDuration => Manifest["run"]!["duration"]!.GetValue<double>();
    public long Samples => (long)Math.Round(Duration * SampleRate);

    public IReadOnlyList<(string Path, string Format)> Files =>
        Manifest["files"]!.AsArray().Select(f => (System.IO.Path.Combine(Directory, f!["path"]!.GetValue<string>()), f["format"]!.GetValue<string>())).ToList();
}

/// <summary>
/// Checks that shard outputs form one complete, consistent run (same scenario hash, seed, version, channel and
/// rate; every index 0..N-1 once; contiguous GPS ranges; files present with their recorded sizes) and joins
/// them through the same writers a single run uses, so the merged files equal the unsharded run's.
/// </summary>
public static class ShardMerger
{
    /// <summary>Shard folders under the given paths: each path is a shard folder or a folder of them.</summary>
    public static List<ShardInfo> Discover(IEnumerable<string> inputs)
    {
        var dirs = new List<string>();
        foreach (var input in inputs)
        {
            if (!Directory.Exists(input)) throw new NoiseInputException($"{input}: no such folder");
            if (File.Exists(Path.Combine(input, "run.json"))) dirs.Add(input);
            else dirs.AddRange(Directory.GetDirectories(input, "shard-*").Where(d => File.Exists(Path.Combine(d, "run.json"))).Order(StringComparer.Ordinal));
        }
        if (dirs.Count == 0) throw new NoiseInputException("merge: no shard folders with a run.json found in the --in folders");
        return dirs.Select(Load).ToList();
    }

    public static ShardInfo Load(string dir)
    {
        var path = Path.Combine(dir, "run.json");
        JsonNode m;
        try { m = JsonNode.Parse(File.ReadAllText(path)) ?? throw new NoiseInputException($"{path}: empty"); }
        catch (System.Text.Json.JsonException e) { throw new NoiseInputException($"{path}: not valid JSON ({e.Message})"); }
        var shard = m["shard"] ?? throw new NoiseInputException($"{path}: not a shard's manifest (no 'shard' entry)");
        return new ShardInfo(dir, m, shard["index"]!.GetValue<int>(), shard["count"]!.GetValue<int>(),
            GpsTime.FromDecimal(m["gps_start"]!.GetValue<decimal>()), m["duration"]!.GetValue<double>());
    }

    /// <summary>Throws a <see cref="NoiseInputException"/> naming the first inconsistency; returns shards in order.</summary>
    public static List<ShardInfo> Validate(List<ShardInfo> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var first = shards[0];
        foreach (var s in shards)
        {
            void Same<T>(string what, T a, T b)
            {
                if (!EqualityComparer<T>.Default.Equals(a, b))
                    throw new NoiseInputException($"merge: {s.Directory} has {what} {b}, but {first.Directory} has {a}");
            }
            Same("scenario hash", first.ScenarioHash, s.ScenarioHash);
            Same("seed", first.Seed, s.Seed);
            Same("software version", first.Version, s.Version);
            Same("channel", first.Channel, s.Channel);
            Same("sample rate", first.SampleRate, s.SampleRate);
            Same("shard count", first.Count, s.Count);
            Same("components", first.Components, s.Components);
            Same("run start", first.RunGpsStart, s.RunGpsStart);
            Same("run duration", first.RunDuration, s.RunDuration);
            Same("formats", string.Join(",", first.Files.Select(f => f.Format).Distinct()), string.Join(",", s.Files.Select(f => f.Format).Distinct()));
            foreach (var f in s.Manifest["files"]!.AsArray())
            {
                var p = Path.Combine(s.Directory, f!["path"]!.GetValue<string>());
                if (!File.Exists(p)) throw new NoiseInputException($"merge: {p} is listed in run.json but missing");
                if (new FileInfo(p).Length != f["bytes"]!.GetValue<long>()) throw new NoiseInputException($"merge: {p} does not have the size run.json records");
            }
        }
        var ordered = shards.OrderBy(s => s.Index).ToList();
        var dup = ordered.GroupBy(s => s.Index).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new NoiseInputException($"merge: shard {dup.Key} appears twice ({string.Join(", ", dup.Select(d => d.Directory))})");
        var missing = Enumerable.Range(0, first.Count).Except(ordered.Select(s => s.Index)).ToList();
        if (missing.Count > 0) throw new NoiseInputException($"merge: incomplete, missing shard(s) {string.Join(", ", missing)} of {first.Count}");
        long expect = first.RunGpsStart.ToSampleIndex(first.SampleRate);
        foreach (var s in ordered)
        {
            long at = s.GpsStart.ToSampleIndex(s.SampleRate);
            if (at != expect)
                throw new NoiseInputException($"merge: shard {s.Index} starts at GPS {s.GpsStart}, expected {GpsTime.FromSampleIndex(expect, s.SampleRate)} (ranges not contiguous)");
            expect = at + s.Samples;
        }
        long end = first.RunGpsStart.ToSampleIndex(first.SampleRate) + (long)Math.Round(first.RunDuration * first.SampleRate);
        if (expect != end) throw new NoiseInputException($"merge: shards end at sample {expect}, the run at {end}");
        return ordered;
    }

    /// <summary>
    /// Streams the shards' samples of one format, in order, into <paramref name="writer"/>; each shard must hold
    /// <paramref name="expected"/> samples (default: its strain samples).
    /// </summary>
    public static long Concatenate(IReadOnlyList<ShardInfo> ordered, string format, IStrainWriter writer, Action<long>? progress = null, Func<ShardInfo, long>? expected = null)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(writer);
        long n = 0;
        foreach (var s in ordered)
        {
            var file = s.Files.First(f => f.Format == format).Path;   // sample series only
            long got = StrainChunkReader.ReadAll(file, span => { writer.Append(span); n += span.Length; progress?.Invoke(n); });
            long want = expected?.Invoke(s) ?? s.Samples;
            if (got != want) throw new NoiseInputException($"merge: {file} holds {got} samples, expected {want}");
        }
        return n;
    }

    public static string Describe(ShardInfo s) => string.Create(CultureInfo.InvariantCulture,
        $"shard {s.Index}/{s.Count}: GPS {s.GpsStart} + {s.Duration} s in {s.Directory}");
}
