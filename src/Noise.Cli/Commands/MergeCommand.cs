using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noise.Core;
using Noise.IO;

namespace Noise.Cli.Commands;

/// <summary>`noise merge`: joins the shards of a run into the files the unsharded run would have written.</summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var inputs = new Option<DirectoryInfo[]>("--in", "-i")
        {
            Description = "Shard folders (shard-I-of-N, each with its run.json), or folders that contain them. Repeat or list several.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var outDir = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for the merged files and their run.json.", Required = true };
        var cmd = new Command("merge",
            "Check that the shards of a sharded run are complete and consistent (same scenario hash, seed, version,\n" +
            "contiguous GPS ranges, every index once) and join them into files identical in content to an unsharded run.\n" +
            "Example: noise merge --in out/run --out out/run/merged")
        { inputs, outDir };
        cmd.SetAction(r => Run(r.GetValue(inputs)!, r.GetValue(outDir)!));
        return cmd;
    }

    private static int Run(DirectoryInfo[] inputs, DirectoryInfo outDir)
    {
        var wall = Stopwatch.StartNew();
        var shards = ShardMerger.Validate(ShardMerger.Discover(inputs.Select(d => d.FullName)));
        var first = shards[0];
        foreach (var s in shards) Console.Error.WriteLine(ShardMerger.Describe(s));

        var scenarioNode = first.Manifest["scenario"]!;
        string name = scenarioNode["name"]!.GetValue<string>();
        var meta = new StrainMetadata
        {
            Channel = first.Channel,
            SampleRate = first.SampleRate,
            GpsStart = first.RunGpsStart,
            Samples = (long)Math.Round(first.RunDuration * first.SampleRate),
            Seed = first.Seed,
            ScenarioName = name,
            ScenarioHash = first.ScenarioHash,
            SoftwareVersion = first.Version,
        };
        string detector = first.Channel.Split(':')[0];
        string stem = Outputs.FileStem(name, detector, first.RunGpsStart, first.RunDuration);
        Directory.CreateDirectory(outDir.FullName);
        AtomicFile.CleanStale(outDir.FullName);

        var described = new List<ManifestFile>();
        int fs = first.SampleRate;
        long runFirst = first.RunGpsStart.ToSampleIndex(fs), runEnd = runFirst + meta.Samples;
        long ShardFirst(ShardInfo s) => s.GpsStart.ToSampleIndex(fs);

        // the state vector first: the merged HDF5's DQmask follows it, as the unsharded run's does
        if (first.Files.Any(f => f.Format == StateVectorFile.Format))
        {
            var (s0, s1) = AuxOutputs.StateSeconds(runFirst, runEnd, fs);
            var states = new int[s1 - s0];
            foreach (var s in shards)
            {
                var (f0, part) = StateVectorFile.Read(s.Files.First(f => f.Format == StateVectorFile.Format).Path);
                for (int i = 0; i < part.Length; i++)
                    if (f0 + i >= s0 && f0 + i < s1) states[f0 + i - s0] = part[i];
            }
            var spath = AuxOutputs.StatePath(outDir.FullName, name, detector, first.RunGpsStart, first.RunDuration);
            meta = meta with { StateBySecond = states };   // s0 is the run's first GPS second, as the DQmask's
            StateVectorFile.Write(spath, detector + ":DQ_ANALYSIS_STATE_VECTOR", s0, states, ParquetStrainWriter.MetadataFor(meta));
            described.Add(RunManifest.Describe(spath, StateVectorFile.Format, outDir.FullName));
        }
        foreach (var format in first.Files.Select(f => f.Format).Where(f => f is "parquet" or "hdf5" or "gwf"))
        {
            using var writer = Outputs.Create(format, outDir.FullName, stem, meta);
            new ProgressReporter("merge " + format, meta.Samples).Run(report => ShardMerger.Concatenate(shards, format, writer, report));
            writer.Complete();
            described.Add(RunManifest.Describe(writer.FinalPath, format, outDir.FullName));
        }
        // a frame folder's frames are whole files already, the same bytes whichever shard wrote them: copied across
        if (first.Files.Any(f => f.Format == FrameFolder.Format))
        {
            var frameDir = Directory.CreateDirectory(Path.Combine(outDir.FullName, FrameFolder.Subfolder)).FullName;
            AtomicFile.CleanStale(frameDir);
            foreach (var f in shards.SelectMany(s => s.Files.Where(f => f.Format == FrameFolder.Format)))
            {
                var target = Path.Combine(frameDir, Path.GetFileName(f.Path));
                AtomicFile.Write(target, tmp => File.Copy(f.Path, tmp, overwrite: true));
                described.Add(RunManifest.Describe(target, FrameFolder.Format, outDir.FullName));
            }
            Console.WriteLine($"copied {described.Count(d => d.Format == FrameFolder.Format)} frames into {frameDir}");
        }
        foreach (var format in first.Files.Select(f => f.Format).Where(f => AuxOutputs.ParseWitnessFormat(f) is not null))
        {
            var (fileFormat, channel) = AuxOutputs.ParseWitnessFormat(format)!.Value;
            var w = scenarioNode["witnesses"]?.AsArray().Select(n => n.Deserialize<WitnessSpec>(Scenario.JsonOptions)!).FirstOrDefault(x => x.Name == channel)
                ?? throw new NoiseInputException($"merge: run.json lists {format} but its scenario has no such witness");
            var (w0, w1) = AuxOutputs.WitnessRange(runFirst, runEnd, fs, w.SampleRate);
            using var writer = AuxOutputs.CreateWitnessWriter(fileFormat, outDir.FullName, name, first.RunGpsStart, first.RunDuration,
                AuxOutputs.WitnessMeta(meta, w, w0, w1 - w0));
            ShardMerger.Concatenate(shards, format, writer, expected: s =>
            {
                var (a, b) = AuxOutputs.WitnessRange(ShardFirst(s), ShardFirst(s) + s.Samples, fs, w.SampleRate);
                return b - a;
            });
            writer.Complete();
            described.Add(RunManifest.Describe(writer.FinalPath, format, outDir.FullName));
        }

        // the ground-truth catalogue: each shard lists the events whose peak lies in its range
        var catalogue = first.Files.FirstOrDefault(f => f.Format == "catalogue-parquet");
        if (catalogue.Path is not null)
        {
            var rows = shards.SelectMany(s => CatalogueFile.ReadParquet(s.Files.First(f => f.Format == "catalogue-parquet").Path)).ToList();
            string cstem = Outputs.FileStem(name + "_events", detector, first.RunGpsStart, first.RunDuration);
            var cpath = Path.Combine(outDir.FullName, cstem + ".parquet");
            CatalogueFile.WriteParquet(cpath, rows, ParquetStrainWriter.MetadataFor(meta));
            described.Add(RunManifest.Describe(cpath, "catalogue-parquet", outDir.FullName));
            if (first.Files.Any(f => f.Format == "catalogue-jsonl"))
            {
                var jpath = Path.Combine(outDir.FullName, cstem + ".jsonl");
                CatalogueFile.WriteJsonLines(jpath, rows);
                described.Add(RunManifest.Describe(jpath, "catalogue-jsonl", outDir.FullName));
            }
        }

        var root = (JsonObject)first.Manifest.DeepClone();
        root.Remove("shard");
        root.Remove("timing");
        root["created_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        root["gps_start"] = first.RunGpsStart.ToDecimal();
        root["duration"] = first.RunDuration;
        root["device"] = string.Join(" | ", shards.Select(s => s.Manifest["device"]!.GetValue<string>()).Distinct());
        root["files"] = System.Text.Json.JsonSerializer.SerializeToNode(described, Scenario.JsonOptions);
        root["merged_from"] = new JsonArray(shards.Select(s => (JsonNode)new JsonObject
        {
            ["index"] = s.Index,
            ["folder"] = Path.GetRelativePath(outDir.FullName, s.Directory),
            ["gps_start"] = s.GpsStart.ToDecimal(),
            ["duration"] = s.Duration,
            ["files"] = s.Manifest["files"]!.DeepClone(),
        }).ToArray());
        AtomicFile.WriteAllText(Path.Combine(outDir.FullName, "run.json"), root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        foreach (var f in described) Console.WriteLine($"wrote {Path.Combine(outDir.FullName, f.Path)} ({f.Bytes / 1e6:F1} MB, sha256 {f.Sha256[..16]}...)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done: merged {shards.Count} shards, {meta.Samples} samples ({first.RunDuration} s) in {wall.Elapsed.TotalSeconds:F2} s"));
        return 0;
    }
}
