using System.Buffers;
using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Noise.Core;
using Noise.IO;
using Noise.IO.Frames;
using Noise.Simulation;
using Noise.Simulation.Environment;

namespace Noise.Cli.Commands;

/// <summary>`noise simulate`: scenario in, strain files and run.json out.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config(required: true);
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds of strain to simulate (any length; memory stays constant).", Required = true };
        var outDir = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder (created if missing). Files appear there only when complete.", Required = true };
        var seed = new Option<long?>("--seed") { Description = "Random seed; overrides the scenario's. Same scenario + seed + version = same bits." };
        var gps = new Option<string?>("--gps-start") { Description = "GPS start time in seconds (e.g. 1238166018); overrides the scenario's. Must fall on a sample." };
        var device = new Option<string?>("--device") { Description = "auto (CUDA if present, else CPU), cpu or cuda; overrides the scenario's." };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var format = new Option<string>("--format", "-f") { Description = "parquet, hdf5 (GWOSC layout), both (parquet and hdf5), or gwf (an IGWD frame file, version 8: the strain as a float32 FrProcData with its 1 Hz state vector in the same frame; witness channels in frames of their own; read by FrameL, gwpy and noise's own reader).", DefaultValueFactory = _ => "both" };
        format.AcceptOnlyFromAmong("parquet", "hdf5", "both", "gwf");
        var block = new Option<double>("--block") { Description = "Seconds of data per GPU/CPU work block (memory vs. launch overhead). Never changes the samples.", DefaultValueFactory = _ => 64 };
        var threads = CliOptions.Threads();
        var shard = new Option<string?>("--shard")
        {
            Description = "Produce only part I of N of the run, by GPS range, into OUT/shard-I-of-N/ (join with `noise merge`): " +
                          "I/N explicit; env/N takes I from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID; " +
                          "env takes I and N from the Slurm array. A shard whose complete output exists is skipped.",
        };

        var components = new Option<string?>("--components")
        {
            Description = "What goes into the strain, comma-separated: noise, lines, glitches, aux (witness channels, their disturbances and the glitches they couple in), injections. Default: all the scenario defines. " +
                          "E.g. --components glitches writes the glitches alone (no noise) with their catalogue.",
        };
        var plots = new Option<bool>("--plots") { Description = "Also draw asd.png (the output's ASD beside the target curve) and Q-scans of the four loudest glitches." };
        var frameSeconds = new Option<int?>("--frame-seconds")
        {
            Description = "With --format gwf: a frame folder, as a detector's low-latency h(t) writer makes (L-L1_llhoft-GPS-1.gwf style): one frame file of N s each " +
                          "(strain and state vector), written whole under a temporary name and renamed, named V-V1_NOISE_<SCENARIO>-<GPS>-<N>.gwf, in OUT/frames/ " +
                          "(the catalogue, witness channels and run.json stay in OUT). noise stream --source dir:OUT/frames reads the folder as it fills.",
        };
        var realtime = new Option<bool>("--realtime") { Description = "With --frame-seconds: write each frame when its data are due on the wall clock (the first N s after the start, and so on), so the folder fills as a live detector's does; Ctrl-C stops it." };
        var frameKeep = new Option<double?>("--frame-keep") { Description = "With --frame-seconds: delete frames that ended more than this many seconds before the newest (an online folder keeps minutes). Default 300 with --realtime, else 0 (keep every frame)." };
        var jsonl = new Option<bool>("--catalogue-jsonl") { Description = "Also write the ground-truth catalogue as JSON lines (Parquet is always written when glitches are on)." };

        var cmd = new Command("simulate",
            "Simulate detector strain for a scenario: coloured Gaussian noise from its curve, plus the spectral lines, glitches\n" +
            "and astrophysical injections it defines, written to Parquet and/or GWOSC HDF5 with a ground-truth catalogue of\n" +
            "every transient and run.json (resolved scenario, seed, device, version, file checksums).\n" +
            "Example: noise simulate --config configs/virgo-o3.yaml --duration 4096 --out out/o3 --seed 7")
        {
            config, duration, outDir, seed, gps, device, format, block, threads, shard, components, jsonl, plots, frameSeconds, realtime, frameKeep,
        };
        cmd.SetAction(r => Run(
            r.GetValue(config)!, r.GetValue(duration), r.GetValue(outDir)!, r.GetValue(seed), r.GetValue(gps),
            r.GetValue(device), r.GetValue(format)!, r.GetValue(block), r.GetValue(threads), r.GetValue(shard),
            r.GetValue(components), r.GetValue(jsonl), r.GetValue(plots), new FrameFolder(r.GetValue(frameSeconds), r.GetValue(realtime), r.GetValue(frameKeep))));
        return cmd;
    }

    internal static int Run(FileInfo configFile, double duration, DirectoryInfo outDir, long? seed, string? gpsText,
        string? deviceText, string format, double blockSeconds, int? threadsOpt, string? shardText,
        string? componentsText, bool catalogueJsonl, bool drawPlots, FrameFolder? frames = null)
    {
        var wall = Stopwatch.StartNew();
        int threads = CliOptions.ResolveThreads(threadsOpt);
        // with --device the accelerator starts while the scenario is read and checked
        using var early = deviceText is null ? null : new PendingDevice(Enum.Parse<DeviceChoice>(deviceText, ignoreCase: true), threads);
        var scenario = ScenarioLoader.Load(CliOptions.ResolveConfig(configFile).FullName);
        if (seed is { } sd)
            scenario = scenario with { Seed = sd >= 0 ? sd : throw new NoiseInputException($"--seed must be non-negative, got {sd}") };
        if (gpsText is not null)
        {
            if (!decimal.TryParse(gpsText, NumberStyles.Float, CultureInfo.InvariantCulture, out var g) || g < 0)
                throw new NoiseInputException($"--gps-start: '{gpsText}' is not a non-negative GPS time in seconds");
            scenario = scenario with { GpsStart = GpsTime.FromDecimal(g) };
        }
        if (deviceText is not null)
            scenario = scenario with { Device = Enum.Parse<DeviceChoice>(deviceText, ignoreCase: true) };
        if (!(duration > 0) || !double.IsFinite(duration))
            throw new NoiseInputException($"--duration must be a positive number of seconds, got {duration}");
        if (!(blockSeconds > 0)) throw new NoiseInputException($"--block must be positive, got {blockSeconds}");
        frames ??= new FrameFolder(null, false, null);
        frames.Check(format, duration, scenario.GpsStart, shardText, drawPlots);
        double samplesExact = duration * scenario.SampleRate;
        long samples = (long)Math.Round(samplesExact);
        if (Math.Abs(samplesExact - samples) > 1e-6)
            throw new NoiseInputException($"--duration {duration} s is not a whole number of samples at {scenario.SampleRate} Hz");
        long firstSample = scenario.GpsStart.ToSampleIndex(scenario.SampleRate);
        var shard = ShardSpec.Resolve(shardText, Environment.GetEnvironmentVariable);
        var components = componentsText is null ? SignalComponents.All : SignalComponentsParser.Parse(componentsText);
        // a component asked for by name must exist in the scenario (a typo in a job script should not run empty)
        foreach (var (flag, key, defined) in new[]
        {
            (SignalComponents.Lines, "lines", scenario.Lines.Count > 0),
            (SignalComponents.Glitches, "glitches", scenario.Glitches.Count > 0),
            (SignalComponents.Injections, "injections", scenario.Injections is not null),
            (SignalComponents.Aux, "aux", scenario.Witnesses.Count > 0),
        })
        {
            if (componentsText is not null && components.HasFlag(flag) && !defined)
                throw new NoiseInputException($"--components {key}: scenario '{scenario.Name}' defines no {key} (add a '{key}:' section)");
        }
        // the scenario's hash (its JSON and curve file, ~0.06 s) is taken while the accelerator starts and the engine is built
        var hashing = Task.Run(scenario.ComputeHash);
        string Hash() => hashing.GetAwaiter().GetResult();

        // A shard is the run's GPS range [a, b): same sample indices, so the same bits as the unsharded run.
        var runStart = scenario.GpsStart;
        double runDuration = duration;
        string dir = outDir.FullName;
        GpsTime partStart = runStart;
        if (shard is not null)
        {
            var (offset, count) = shard.Range(samples, scenario.SampleRate);
            if (frames.Seconds is { } fsec && (offset % ((long)fsec * scenario.SampleRate) != 0 || count % ((long)fsec * scenario.SampleRate) != 0))
                throw new NoiseInputException($"--shard {shard.Index}/{shard.Count} would cut a {fsec} s frame (the shard starts {offset / (double)scenario.SampleRate} s into the run and holds {count / (double)scenario.SampleRate} s): choose a shard count that divides the run's {duration / fsec} frames");
            firstSample += offset;
            samples = count;
            duration = (double)count / scenario.SampleRate;
            partStart = GpsTime.FromSampleIndex(firstSample, scenario.SampleRate);
            dir = Path.Combine(dir, shard.FolderName);
            Console.Error.WriteLine($"shard {shard.Index}/{shard.Count} (index from {shard.Source}): GPS {partStart} + {duration} s of the run's {runStart} + {runDuration} s -> {dir}");
            if (ShardAlreadyComplete(dir, Hash(), scenario.Seed, shard, runStart, runDuration, frames.Seconds is null ? Outputs.Expand(format) : [FrameFolder.Format], components))
            {
                Console.WriteLine($"shard {shard.Index}/{shard.Count} is already complete in {dir}: nothing to do");
                return 0;
            }
        }

        Directory.CreateDirectory(dir);
        AtomicFile.CleanStale(dir);

        using var device = early?.Take() ?? ComputeDevice.Create(scenario.Device, threads);
        using var engine = new NoiseEngine(device, scenario, blockSeconds, components);
        string hash = Hash();
        Console.Error.WriteLine($"noise {Program.Version}: scenario '{scenario.Name}', {scenario.Channel} at {scenario.SampleRate} Hz, seed {scenario.Seed}, GPS {partStart} + {duration} s");
        Console.Error.WriteLine($"device: {device.Description}; FFT: {engine.FftName}; segment {engine.Layout.SegmentLength} samples, cross-fade {engine.Layout.Overlap}");

        var meta = new StrainMetadata
        {
            Channel = scenario.Channel,
            SampleRate = scenario.SampleRate,
            GpsStart = partStart,
            Samples = samples,
            Seed = scenario.Seed,
            ScenarioName = scenario.Name,
            ScenarioHash = hash,
            SoftwareVersion = Program.Version,
        };
        // the state vector is the detector's, whatever components are drawn; the HDF5 DQmask follows it
        var (stateFirst, stateEnd) = AuxOutputs.StateSeconds(firstSample, firstSample + samples, scenario.SampleRate);
        int[]? states = engine.Lock?.States(stateFirst, stateEnd);
        if (states is not null)
            meta = meta with { StateBySecond = states };   // both start at the run's first GPS second
        string stem = Outputs.FileStem(scenario.Name, scenario.Detector, partStart, duration);
        var writers = new List<IStrainWriter>();
        using var cancel = new CancellationTokenSource();
        try
        {
            if (frames.Seconds is { } n)
            {
                // frames only in their folder, as in an online one: a reader watching it (stream --source dir:) never
                // meets the run's other files (catalogue, witnesses, run.json), which stay in OUT
                var frameDir = Directory.CreateDirectory(Path.Combine(dir, FrameFolder.Subfolder)).FullName;
                AtomicFile.CleanStale(frameDir);
                writers.Add(new GwfFrameFolderWriter(frameDir, g => Outputs.FileStem(scenario.Name, scenario.Detector, g, n), meta, n, frames.KeepSeconds, frames.Realtime, cancel.Token));
                Console.Error.WriteLine($"frames: {n} s each into {frameDir}{(frames.Realtime ? ", in real time" : "")}{(frames.KeepSeconds > 0 ? $", each kept {frames.KeepSeconds} s" : "")}");
            }
            else
                foreach (var f in Outputs.Expand(format)) writers.Add(Outputs.Create(f, dir, stem, meta));

            // the state vector is known before a sample is drawn: written beside the generation, renamed into
            // place only once the strain is complete (~0.09 s of Parquet set-up off the run's end)
            var (stateFile, stateWrite) = states is null ? (null, Task.CompletedTask) : StartStateVector(dir, scenario, partStart, duration, stateFirst, states, meta);
            using var stateFileScope = stateFile;
            double tSetup = wall.Elapsed.TotalSeconds;
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            // the witness channels are small next to the strain: they run beside it on their own one-thread CPU
            // accelerator, so their encoding overlaps the strain's instead of following it
            var witnessFiles = components.HasFlag(SignalComponents.Aux) && scenario.Witnesses.Count > 0
                ? Task.Run(() =>
                {
                    using var cpu = ComputeDevice.Create(DeviceChoice.Cpu, 1);
                    return AuxOutputs.WriteWitnesses(cpu, scenario, engine.Disturbances, meta, dir, Outputs.Expand(format).ToList(), firstSample, samples, blockSeconds, cancel.Token);
                })
                : Task.FromResult(new List<(string Path, string Format)>());
            try
            {
                new ProgressReporter("simulate", samples).Run(report =>
                    WriteThrough(engine, firstSample, samples, writers, report, cancel.Token));
            }
            catch
            {
                cancel.Cancel();
                try { witnessFiles.Wait(); } catch (AggregateException) { }
                // its temporary file goes when the scope ends, not while it is still being written
                try { stateWrite.Wait(); } catch (AggregateException) { }
                throw;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            double tGenerated = wall.Elapsed.TotalSeconds;
            foreach (var w in writers) w.Complete();
            var extraFiles = new List<(string Path, string Format)>();
            stateWrite.GetAwaiter().GetResult();
            if (states is not null && stateFile is not null)
            {
                stateFile.Commit();
                extraFiles.Add((stateFile.FinalPath, StateVectorFile.Format));
                int ready = states.Count(LockTimeline.IsReady);
                Console.Error.WriteLine($"state vector: analysis-ready {ready} of {states.Length} s ({100.0 * ready / Math.Max(1, states.Length):F1} %)");
            }
            extraFiles.AddRange(witnessFiles.GetAwaiter().GetResult());
            var rows = new List<TransientEvent>();
            // the engine drew transients exactly when there is something to catalogue
            if (engine.Glitches is not null || engine.Disturbances is not null)
            {
                rows = Catalogue(engine, firstSample, samples);
                string cstem = Outputs.FileStem(scenario.Name + "_events", scenario.Detector, partStart, duration);
                var cpath = Path.Combine(dir, cstem + ".parquet");
                CatalogueFile.WriteParquet(cpath, rows, ParquetStrainWriter.MetadataFor(meta));
                extraFiles.Add((cpath, "catalogue-parquet"));
                if (catalogueJsonl)
                {
                    var jpath = Path.Combine(dir, cstem + ".jsonl");
                    CatalogueFile.WriteJsonLines(jpath, rows);
                    extraFiles.Add((jpath, "catalogue-jsonl"));
                }
                Console.Error.WriteLine($"catalogue: {rows.Count} events ({string.Join(", ", rows.GroupBy(r => r.Kind == "environment" ? r.Class + " (witness)" : r.Class).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))})");
            }
            double tClosed = wall.Elapsed.TotalSeconds;

            // a writer that hashed its file while writing it hands the SHA-256 over; the rest are read and hashed here
            var files = writers.SelectMany(w => w is GwfFrameFolderWriter ff ? ff.Frames.Select(p => (Path: p, Format: FrameFolder.Format, Sha: (string?)null)) : [(Path: w.FinalPath, w.Format, Sha: w.Sha256)])
                .Concat(extraFiles.Select(f => (f.Path, f.Format, Sha: (string?)null))).AsParallel().AsOrdered()
                .Select(f => RunManifest.Describe(f.Path, f.Format, dir, f.Sha)).ToList();
            double secs = wall.Elapsed.TotalSeconds;
            var timing = new JsonObject
            {
                ["timing"] = new JsonObject
                {
                    ["wall_seconds"] = Math.Round(secs, 3),
                    ["setup_seconds"] = Math.Round(tSetup, 3),
                    ["generate_and_write_seconds"] = Math.Round(tGenerated - tSetup, 3),
                    ["close_files_seconds"] = Math.Round(tClosed - tGenerated, 3),
                    ["checksum_seconds"] = Math.Round(secs - tClosed, 3),
                    ["samples_per_second"] = Math.Round(samples / secs),
                    ["times_real_time"] = Math.Round(duration / secs, 1),
                    ["threads"] = threads,
                    ["block_seconds"] = blockSeconds,
                },
                ["engine"] = new JsonObject
                {
                    ["segment_length"] = engine.Layout.SegmentLength,
                    ["overlap"] = engine.Layout.Overlap,
                    ["rng"] = "philox4x32-10, counter (bin pair, segment, channel), key seed; Box-Muller",
                },
                ["run"] = new JsonObject { ["gps_start"] = runStart.ToDecimal(), ["duration"] = runDuration },
                ["components"] = SignalComponentsParser.Format(components),
            };
            if (shard is not null)
                timing["shard"] = new JsonObject { ["index"] = shard.Index, ["count"] = shard.Count, ["source"] = shard.Source };
            // run.json last: its presence marks the folder complete (a rerun of a finished shard is a no-op)
            RunManifest.Write(Path.Combine(dir, "run.json"), scenario, hash, partStart, duration,
                device.Description, engine.FftName, Program.Version, files, timing);
            foreach (var f in files) Console.WriteLine($"wrote {Path.Combine(dir, f.Path)} ({f.Bytes / 1e6:F1} MB)");
            Console.WriteLine($"wrote {Path.Combine(dir, "run.json")}");
            if (drawPlots)
                foreach (var p in RunPlots.Write(writers[0].FinalPath, dir, scenario, partStart, samples, rows))
                    Console.WriteLine($"wrote {p}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {samples} samples ({duration} s) in {secs:F2} s = {samples / secs / 1e6:F1} M samples/s, {duration / secs:F0}x real time on {(device.IsCuda ? "cuda" : "cpu")}"));
            return 0;
        }
        finally
        {
            foreach (var w in writers) w.Dispose();
        }
    }

    /// <summary>
    /// Ground truth for strain samples [firstSample, firstSample + samples): the glitches and injections, the
    /// coupled disturbances and every disturbance as its witness saw it, in peak-time order. Strain events that
    /// peak while the detector is not analysis-ready are left out: the strain holds no data there.
    /// </summary>
    private static List<TransientEvent> Catalogue(NoiseEngine engine, long firstSample, long samples)
    {
        var s = engine.Scenario;
        var rows = new List<TransientEvent>();
        if (engine.Glitches is { } g) rows.AddRange(g.Catalogue(firstSample, firstSample + samples));
        if (engine.Disturbances is { } d)
            rows.AddRange(d.Catalogue(GpsTime.FromSampleIndex(firstSample, s.SampleRate), GpsTime.FromSampleIndex(firstSample + samples, s.SampleRate)));
        if (engine.Lock is { } lk)
            rows.RemoveAll(r => r.Channel == s.Channel && !LockTimeline.IsReady(lk.State(r.PeakTime.Seconds)));
        return rows.OrderBy(r => r.PeakTime).ThenBy(r => r.EventId).ToList();
    }

    /// <summary>
    /// Runs the engine on this thread and the file writers on another, joined by a bounded queue of two blocks,
    /// so encoding and disk I/O overlap the next block's compute in constant memory.
    /// </summary>
    private static void WriteThrough(NoiseEngine engine, long firstSample, long samples, List<IStrainWriter> writers,
        Action<long> report, CancellationToken cancel)
    {
        using var queue = new BlockingCollection<(float[] Buffer, int Length)>(boundedCapacity: 2);
        Exception? writerError = null;
        var writerThread = new Thread(() =>
        {
            try
            {
                foreach (var (buf, len) in queue.GetConsumingEnumerable())
                {
                    foreach (var w in writers) w.Append(buf.AsSpan(0, len));
                    ArrayPool<float>.Shared.Return(buf);
                }
            }
            catch (Exception e)
            {
                writerError = e;
                queue.CompleteAdding();
                while (queue.TryTake(out _)) { }
            }
        }) { IsBackground = true, Name = "noise-writer" };
        writerThread.Start();
        long done = 0;
        try
        {
            engine.Generate(firstSample, samples, (chunk, _) =>
            {
                var buf = ArrayPool<float>.Shared.Rent(chunk.Length);
                chunk.CopyTo(buf);
                if (!queue.TryAdd((buf, chunk.Length), Timeout.Infinite, cancel))
                    throw writerError ?? new OperationCanceledException();
                done += chunk.Length;
                report(done);
            }, cancel);
        }
        catch (InvalidOperationException) when (writerError is not null) { }
        finally
        {
            if (!queue.IsAddingCompleted) queue.CompleteAdding();
            writerThread.Join();
        }
        if (writerError is not null) throw new IOException($"writing output failed: {writerError.Message}", writerError);
    }

    /// <summary>
    /// True when <paramref name="dir"/> holds this very shard, complete (run.json is written last); an error
    /// when it holds a different run, so a typo in a job script never mixes two runs.
    /// </summary>
    private static (AtomicFile File, Task Write) StartStateVector(string dir, Scenario scenario, GpsTime partStart, double duration, long stateFirst, int[] states, StrainMetadata meta)
    {
        var file = new AtomicFile(AuxOutputs.StatePath(dir, scenario.Name, scenario.Detector, partStart, duration));
        return (file, Task.Run(() => StateVectorFile.WriteUncommitted(file, scenario.StateVectorChannel, stateFirst, states, ParquetStrainWriter.MetadataFor(meta))));
    }

    private static bool ShardAlreadyComplete(string dir, string hash, long seed, ShardSpec shard, GpsTime runStart, double runDuration, IEnumerable<string> formats, SignalComponents components)
    {
        if (!File.Exists(Path.Combine(dir, "run.json"))) return false;
        var info = ShardMerger.Load(dir);
        if (info.ScenarioHash != hash || info.Seed != seed || info.Index != shard.Index || info.Count != shard.Count
            || info.RunGpsStart != runStart || info.RunDuration != runDuration || info.Version != Program.Version
            || info.Components != SignalComponentsParser.Format(components))
            throw new NoiseInputException($"{dir} holds a different run (scenario hash, seed, shard, range or version differ); use another --out or remove it");
        foreach (var f in info.Manifest["files"]!.AsArray())
        {
            var p = Path.Combine(dir, f!["path"]!.GetValue<string>());
            if (!File.Exists(p) || new FileInfo(p).Length != f["bytes"]!.GetValue<long>()) return false;
        }
        return formats.All(fmt => info.Files.Any(f => f.Format == fmt));
    }
}

/// <summary>simulate's low-latency frame folder options (--frame-seconds, --realtime, --frame-keep), checked together.</summary>
internal sealed record FrameFolder(int? Seconds, bool Realtime, double? Keep)
{
    /// <summary>run.json's format of each frame file.</summary>
    public const string Format = "gwf-frame";
    /// <summary>The folder of OUT the frames go to.</summary>
    public const string Subfolder = "frames";

    public double KeepSeconds => Keep ?? (Realtime ? 300 : 0);

    public void Check(string format, double duration, GpsTime start, string? shard, bool plots)
    {
        if (Seconds is null)
        {
            if (Realtime) throw new NoiseInputException("--realtime writes a frame folder: give --frame-seconds too (e.g. --format gwf --frame-seconds 1 --realtime)");
            if (Keep is not null) throw new NoiseInputException("--frame-keep applies to a frame folder: give --frame-seconds too");
            return;
        }
        int n = Seconds.Value;
        if (format != "gwf") throw new NoiseInputException($"--frame-seconds writes GWF frames: use --format gwf (got --format {format})");
        if (n < 1) throw new NoiseInputException($"--frame-seconds must be a whole number of seconds, at least 1, got {n}");
        if (Math.Abs(duration / n - Math.Round(duration / n)) > 1e-9)
            throw new NoiseInputException($"--duration {duration} s is not a whole number of {n} s frames");
        if (start.Nanoseconds != 0) throw new NoiseInputException($"--frame-seconds: frames start on whole GPS seconds, and the run starts at {start}");
        if (Keep is { } k && !(k >= 0 && double.IsFinite(k))) throw new NoiseInputException($"--frame-keep must be 0 (keep all) or a positive number of seconds, got {k}");
        if (Keep is { } k2 && k2 > 0 && k2 < n) throw new NoiseInputException($"--frame-keep {k2} s would delete each {n} s frame as it is written");
        if (Realtime && shard is not null) throw new NoiseInputException("--realtime with --shard: a live frame folder is one stream; run it unsharded");
        if (plots) throw new NoiseInputException("--plots reads one strain file: not with --frame-seconds");
    }
}
