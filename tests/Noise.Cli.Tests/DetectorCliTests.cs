using System.Text.Json.Nodes;

namespace Noise.Cli.Tests;

/// <summary>train/evaluate/detect/run as users call them; the shipped model is models/glitchnet-o3.</summary>
public class DetectorCliTests
{
    private static string ShippedModel => Path.Combine(CliHarness.RepoRoot(), "models", "glitchnet-o3");
    private static string Gwosc(string name) => Path.Combine(CliHarness.RepoRoot(), "..", "shared", "data", "strain", name);

    /// <summary>
    /// Each pipeline reads its own recorded 1/h thresholds (block at the top of metrics, the stream's under
    /// metrics.stream), falls back on the other's, and reports a FAR only for a recorded threshold.
    /// </summary>
    [Fact]
    public void EachPipelineUsesItsOwnRecordedThresholdsAndKnowsWhenTheFarIsUnknown()
    {
        var both = JsonNode.Parse("""
            {"metrics": {"threshold_far_1_per_hour": 0.89, "baseline_snr_far_1_per_hour": 9.6,
             "stream": {"threshold_far_1_per_hour": 0.88, "baseline_snr_far_1_per_hour": 8.7}}}
            """)!.AsObject();
        Assert.Equal((0.89, 9.6, 1.0, 1.0), Commands.DetectCommand.Thresholds(both, null, null));
        Assert.Equal((0.88, 8.7, 1.0, 1.0), Commands.DetectCommand.Thresholds(both, null, null, stream: true));
        // given by hand: that value, FAR unknown; the other pipeline keeps its recorded one
        Assert.Equal((0.5, 8.7, (double?)null, 1.0), Commands.DetectCommand.Thresholds(both, 0.5, null, stream: true));
        var blockOnly = JsonNode.Parse("""{"metrics": {"threshold_far_1_per_hour": 0.89, "baseline_snr_far_1_per_hour": 9.6}}""")!.AsObject();
        Assert.Equal((0.89, 9.6, 1.0, 1.0), Commands.DetectCommand.Thresholds(blockOnly, null, null, stream: true));
        var streamOnly = JsonNode.Parse("""{"metrics": {"stream": {"threshold_far_1_per_hour": 0.88, "baseline_snr_far_1_per_hour": 8.7}}}""")!.AsObject();
        Assert.Equal((0.88, 8.7, 1.0, 1.0), Commands.DetectCommand.Thresholds(streamOnly, null, null));
        // nothing recorded: the defaults, FAR unknown
        Assert.Equal((0.5, 6.0, (double?)null, (double?)null), Commands.DetectCommand.Thresholds(new JsonObject(), null, null, stream: true));
    }

    [Fact]
    public void StreamScoresWindowsWithAV2Model()
    {
        // a model with the spectrogram branch (GlitchNet v2) in the stream: its windows reach the network with
        // their spectrograms, and every whitened window is scored
        var dir = CliHarness.TempDir();
        var (net, spec, doc) = Noise.Detection.Model.ModelStore.Load(ShippedModel);
        net.Dispose();
        var v2Spec = spec with { TimeFrequencyBranch = true };
        using (var v2 = Noise.Detection.Model.GlitchNet.For(v2Spec))
            Noise.Detection.Model.ModelStore.Save(dir, v2, v2Spec, doc["metrics"]!.AsObject());
        var stats = Path.Combine(dir, "stats.json");
        var (code, _, err) = CliHarness.Run("stream", "--model", dir, "--source", "twin:virgo-o3.yaml", "--speed", "max", "--duration", "40",
            "--no-baseline", "--sink", "jsonl:" + Path.Combine(dir, "t.jsonl"), "--stats", stats);
        Assert.True(code == 0, err);
        var scored = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(stats))!["windows_scored"]!.GetValue<long>();
        // 40 s of data: whitening starts half a filter in and the last window ends half a filter before the end
        Assert.InRange(scored, 140, 157);
    }

    /// <summary>
    /// detect --windows-out writes the conditioned windows the model scored and TorchSharp's scores of them;
    /// models/glitchnet.py scores the same windows in PyTorch (Debian's python3-torch) and agrees.
    /// </summary>
    [Fact]
    public void DetectWritesTheScoredWindowsForPyTorchToCheck()
    {
        var dir = CliHarness.TempDir();
        var sim = Path.Combine(dir, "sim");
        var (code, _, err) = CliHarness.Run("simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", "64", "--out", sim, "--format", "hdf5");
        Assert.True(code == 0, err);
        var strain = Directory.GetFiles(sim, "V-V1_NOISE_VIRGO_O3-*.hdf5").Single();
        var outDir = Path.Combine(dir, "detect");
        // what a killed run leaves: a hidden partial file of a process that is gone; the rerun removes it
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, ".old_WINDOWS.f32.partial-999999-deadbeef"), "half");
        (code, _, err) = CliHarness.Run("detect", "--in", strain, "--model", ShippedModel, "--out", outDir, "--windows-out");
        Assert.True(code == 0, err);
        string stem = Path.Combine(outDir, Path.GetFileNameWithoutExtension(strain));
        long windows = new FileInfo(stem + "_WINDOWS.f32").Length / (4096 * 4);
        Assert.True(windows >= 100, $"{windows} windows");   // 64 s less the conditioning's edges, every 0.25 s
        Assert.Equal(windows * 12 * 4, new FileInfo(stem + "_SCORES.f32").Length);   // 11 classes and the time
        Assert.Empty(Directory.GetFiles(outDir, "*partial*"));   // no temporary file left beside them
        var (py, text) = CliHarness.Process("/usr/bin/python3", Path.Combine(CliHarness.RepoRoot(), "models", "glitchnet.py"), ShippedModel,
            "--windows", stem + "_WINDOWS.f32", "--reference", stem + "_SCORES.f32");
        Assert.True(py == 0, text);
        var agreement = JsonNode.Parse(text.Split('\n').First(l => l.StartsWith('{')))!;
        Assert.Equal(windows, agreement["windows"]!.GetValue<long>());
        Assert.True(agreement["max_abs_class_probability"]!.GetValue<double>() < 1e-4, text);
        Assert.True(agreement["max_abs_time_s"]!.GetValue<double>() < 1e-3, text);
    }

    [SkippableFact]
    public void DetectReadsAGwoscFileAndWritesTriggers()
    {
        var file = Gwosc("H-H1_LOSC_4_V2-1126259446-32.hdf5");
        Skip.IfNot(File.Exists(file), "../shared/data/strain is not beside this checkout");
        var dir = CliHarness.TempDir();
        var (code, stdout, err) = CliHarness.Run("detect", "--in", file, "--model", ShippedModel, "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("4096 Hz, 32 s", stdout, StringComparison.Ordinal);
        Assert.Contains("timing:", err, StringComparison.Ordinal);
        var jsonl = Path.Combine(dir, "H-H1_LOSC_4_V2-1126259446-32_TRIGGERS.jsonl");
        Assert.True(File.Exists(jsonl) && File.Exists(Path.ChangeExtension(jsonl, ".parquet")));
        foreach (var line in File.ReadAllLines(jsonl))
        {
            var row = JsonNode.Parse(line)!;
            Assert.Equal("H1", row["ifo"]!.GetValue<string>());
            Assert.True(row["pipeline"]!.GetValue<string>() is "glitchnet" or "qtransform");
            Assert.InRange(row["time"]!.GetValue<double>(), 1126259446, 1126259478);
        }
        // the same triggers as a LIGO_LW sngl_burst table, read back
        var xml = Noise.IO.LigoLw.ReadSnglBurst(Path.ChangeExtension(jsonl, ".xml.gz"));
        Assert.Equal(File.ReadAllLines(jsonl).Length, xml.Count);
        Assert.All(xml, r => Assert.Equal("H1", r.Ifo));
        // the baseline sees GW150914 (a loud real signal) within 0.1 s of its time
        Assert.Contains(File.ReadAllLines(jsonl).Select(l => JsonNode.Parse(l)!), r => r["pipeline"]!.GetValue<string>() == "qtransform"
            && Math.Abs(r["time"]!.GetValue<double>() - 1126259462.42) < 0.1);
    }

    /// <summary>
    /// detect --join: a folder of 2 s frames scanned as one stretch gives the triggers of the same 64 s in one file;
    /// --gps-range scans part of it; overlapping inputs are one clear error.
    /// </summary>
    [Fact]
    public void DetectJoinsAFrameFolderIntoOneStretch()
    {
        var dir = CliHarness.TempDir();
        const string channel = "V1:Hrec_hoft_16384Hz";
        foreach (var (name, extra) in new[] { ("one", Array.Empty<string>()), ("frames", new[] { "--frame-seconds", "2" }) })
        {
            var (c, _, e) = CliHarness.Run(["simulate", "--config", "virgo-o3", "--duration", "64", "--seed", "3", "--format", "gwf", "--out", Path.Combine(dir, name), .. extra]);
            Assert.True(c == 0, e);
        }
        var frames = Directory.GetFiles(Path.Combine(dir, "frames", "frames"), "*.gwf").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(32, frames.Length);
        var (code, stdout, err) = CliHarness.Run("detect", "--in", CliHarness.StrainFile(Path.Combine(dir, "one"), "gwf"), "--channel", channel, "--model", ShippedModel, "--out", Path.Combine(dir, "d1"), "--baseline-snr", "5");
        Assert.True(code == 0, err);
        (code, stdout, err) = CliHarness.Run(["detect", "--in", .. frames, "--join", "--channel", channel, "--model", ShippedModel, "--out", Path.Combine(dir, "d2"), "--baseline-snr", "5"]);
        Assert.True(code == 0, err);
        Assert.Contains("V-V1_JOINED-1238166018-64: 16384 Hz, 64 s", stdout, StringComparison.Ordinal);
        static List<string> Rows(string f) => File.ReadAllLines(f).Select(l => JsonNode.Parse(l)!).Select(r => $"{r["pipeline"]} {r["time"]} {r["snr"]} {r["probability"]} {r["class"]}").ToList();
        var single = Rows(Path.Combine(dir, "d1", "V-V1_NOISE_VIRGO_O3-1238166018-64_TRIGGERS.jsonl"));
        Assert.NotEmpty(single);
        Assert.Equal(single, Rows(Path.Combine(dir, "d2", "V-V1_JOINED-1238166018-64_TRIGGERS.jsonl")));
        (code, stdout, err) = CliHarness.Run(["detect", "--in", .. frames, "--gps-range", "1238166018,1238166050", "--channel", channel, "--model", ShippedModel, "--out", Path.Combine(dir, "d3")]);
        Assert.True(code == 0, err);
        Assert.Contains("V-V1_JOINED-1238166018-32: 16384 Hz, 32 s", stdout, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run("detect", "--in", frames[0], frames[0], "--join", "--channel", channel, "--model", ShippedModel, "--out", Path.Combine(dir, "d4"));
        Assert.Equal(2, code);
        Assert.Contains("overlaps", err, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run(["detect", "--in", .. frames, "--gps-range", "1238166100,1238166200", "--channel", channel, "--model", ShippedModel, "--out", Path.Combine(dir, "d5")]);
        Assert.Equal(2, code);
        Assert.Contains("no file covers", err, StringComparison.Ordinal);
    }

    [Fact]
    public void BadModelsAndBadInputAreOneLineErrors()
    {
        var dir = CliHarness.TempDir();
        var (code, _, err) = CliHarness.Run("detect", "--in", "nothing.hdf5", "--model", Path.Combine(dir, "no-model"), "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("no such model folder", err, StringComparison.Ordinal);
        var junk = Path.Combine(dir, "junk.hdf5");
        File.WriteAllText(junk, "not hdf5");
        (code, _, err) = CliHarness.Run("detect", "--in", junk, "--model", ShippedModel, "--out", Path.Combine(dir, "o"));
        Assert.Equal(2, code);
        Assert.Contains("junk.hdf5", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        (code, _, err) = CliHarness.Run("evaluate", "--model", ShippedModel, "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", "60", "--background", "600", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("--background must be at least 3600", err, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run("train", "--config", CliHarness.Config("virgo-o3.yaml"), "--minutes", "-1", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("--minutes must be positive", err, StringComparison.Ordinal);
        // a conditioning that notches no line at all is refused before anything is written
        (code, _, err) = CliHarness.Run("train", "--config", CliHarness.Config("virgo-o3.yaml"), "--notch", "0", "--fine-notch", "0", "--out", Path.Combine(dir, "n"));
        Assert.Equal(2, code);
        Assert.Contains("--notch 0 with --fine-notch 0", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir, "n")));
        (code, _, err) = CliHarness.Run("train", "--config", CliHarness.Config("virgo-o3.yaml"), "--vary-noise", "--breathing", "1.5", "--out", Path.Combine(dir, "n"));
        Assert.Equal(2, code);
        Assert.Contains("--breathing is a probability", err, StringComparison.Ordinal);
        // fine-tuning needs the same network: the shipped model has the spectrogram branch, a run without it does not
        (code, _, err) = CliHarness.Run("train", "--config", CliHarness.Config("virgo-o3.yaml"), "--epochs", "1", "--init", ShippedModel, "--out", Path.Combine(dir, "t"));
        Assert.Equal(2, code);
        Assert.Contains("--init", err, StringComparison.Ordinal);
        Assert.Contains("is not the one this run trains", err, StringComparison.Ordinal);
    }

    [Fact]
    public void RunSimulatesDetectsAndReports()
    {
        var dir = CliHarness.TempDir();
        var (code, stdout, err) = CliHarness.Run("run", "--duration", "256", "--out", dir, "--config", CliHarness.Config("virgo-o3.yaml"), "--model", ShippedModel);
        Assert.True(code == 0, err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        foreach (var who in new[] { "model", "baseline" })
        {
            Assert.Equal(8, report[who]!["efficiency_by_snr"]!.AsArray().Count);
            // every filled bin carries its 68 % interval around the efficiency
            foreach (var b in report[who]!["efficiency_by_snr"]!.AsArray().Where(b => b!["n"]!.GetValue<int>() > 0))
            {
                double e = b!["efficiency"]!.GetValue<double>();
                var interval = b["efficiency_interval"]!.AsArray();
                Assert.InRange(e, interval[0]!.GetValue<double>(), interval[1]!.GetValue<double>());
            }
            Assert.True(report[who]!["threshold"]!.GetValue<double>() > 0);
        }
        Assert.Single(Directory.GetFiles(dir, "*_TRIGGERS-*.parquet"));
        Assert.Single(Directory.GetFiles(dir, "*_TRIGGERS-*.jsonl"));
        Assert.True(File.Exists(Path.Combine(dir, "efficiency.png")));
        Assert.Contains("model    (p >=", stdout, StringComparison.Ordinal);
    }
}

/// <summary>evaluate --real: real strain through both pipelines, false alarms counted away from catalogued GW events.</summary>
public class RealDataGateCliTests
{
    private static string ShippedModel => Path.Combine(CliHarness.RepoRoot(), "models", "glitchnet-o3");
    private static string Gwosc(string name) => Path.Combine(CliHarness.RepoRoot(), "..", "shared", "data", "strain", name);

    [SkippableFact]
    public void RealFilesAreScannedAndTriggersNearAGwEventAreNotFalseAlarms()
    {
        var h1 = Gwosc("H-H1_LOSC_4_V2-1126259446-32.hdf5");
        var v1 = Gwosc("V-V1_GWOSC_16KHZ_R1-1185389792-32.hdf5");
        Skip.IfNot(File.Exists(h1) && File.Exists(v1), "../shared/data/strain is not beside this checkout");
        var dir = CliHarness.TempDir();
        var (code, stdout, err) = CliHarness.Run("evaluate", "--model", ShippedModel, "--real", h1, v1, "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("real data (2 files", stdout, StringComparison.Ordinal);
        var gate = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!["real_data"]!;
        Assert.Equal(2, gate["files"]!.GetValue<int>());
        Assert.Equal("model.json (block)", gate["thresholds_from"]!.GetValue<string>());
        var files = gate["per_file"]!.AsArray();
        // the shipped list (GWTC-1) names both mergers; each file covers its own, and the scan reaches it
        var gw150914 = files[0]!["events"]!.AsArray().Single();
        Assert.Equal("GW150914", gw150914!["name"]!.GetValue<string>());
        Assert.True(gw150914["scanned"]!.GetValue<bool>());
        Assert.Equal("GW170729", files[1]!["events"]!.AsArray().Single()!["name"]!.GetValue<string>());
        // the baseline fires on GW150914, and that trigger is the event's, not a false alarm
        Assert.Contains(files[0]!["baseline"]!["triggers"]!.AsArray(), t => t!["event"]?.GetValue<string>() == "GW150914");
        int modelFalse = files.Sum(f => f!["model"]!["triggers"]!.AsArray().Count(t => t!["event"] is null));
        Assert.Equal(modelFalse, gate["model_false_triggers"]!.GetValue<int>());
        double live = gate["live_seconds"]!.GetValue<double>();
        Assert.InRange(live, 20, 64);
        Assert.Equal(Math.Round(modelFalse / (live / 3600), 2), gate["model_false_per_hour"]!.GetValue<double>(), 2);

        // a catalogued event at the time of each model trigger on the V1 file: those triggers are no longer false
        var v1Triggers = files[1]!["model"]!["triggers"]!.AsArray();
        Skip.If(v1Triggers.Count == 0, "the model does not fire on this V1 file any more: nothing to move");
        var events = Path.Combine(dir, "events.json");
        File.WriteAllText(events, "{" + string.Join(",", v1Triggers.Select((t, i) =>
            $"\"FAKE{i}\": {{\"tevent\": {t!["time"]!.GetValue<double>().ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}}")) + "}");
        (code, _, err) = CliHarness.Run("evaluate", "--model", ShippedModel, "--real", v1, "--events", events, "--out", Path.Combine(dir, "again"));
        Assert.True(code == 0, err);
        var again = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "again", "report.json")))!["real_data"]!;
        Assert.Equal(0, again["model_false_triggers"]!.GetValue<int>());
        Assert.Equal(v1Triggers.Count, again["events_called_glitch"]!.GetValue<int>());
        Assert.True(again["live_seconds"]!.GetValue<double>() < files[1]!["live_seconds"]!.GetValue<double>());
    }

    /// <summary>
    /// The real-data regression floor: the shipped model, scanned over the real files its model.json records
    /// (evaluate --update-model --real), fires no more often away from GW events and calls no more GW events
    /// glitches than it did when recorded. Real data are the judge: a change to conditioning, clustering or the
    /// model that makes it worse on real strain fails here, whatever it does on the twin.
    /// </summary>
    [SkippableFact]
    public void TheShippedModelHoldsItsRecordOnRealData()
    {
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(ShippedModel, "model.json")))!;
        var record = doc["metrics"]?["real_data"];
        Assert.True(record is not null, "models/glitchnet-o3/model.json records no real_data: run evaluate --pipeline block --real ... --update-model");
        var files = record!["files"]!.AsArray().Select(f => Gwosc(f!.GetValue<string>())).ToArray();
        Skip.IfNot(files.All(File.Exists), "../shared/data/strain is not beside this checkout");
        var dir = CliHarness.TempDir();
        var (code, _, err) = CliHarness.Run(["evaluate", "--model", ShippedModel, "--real", .. files, "--out", dir]);
        Assert.True(code == 0, err);
        var gate = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!["real_data"]!;
        Assert.Equal(files.Length, gate["files"]!.GetValue<int>());
        Assert.True(gate["model_false_triggers"]!.GetValue<int>() <= record["model_false_triggers"]!.GetValue<int>(), gate.ToJsonString());
        Assert.True(gate["events_called_glitch"]!.GetValue<int>() <= record["events_called_glitch"]!.GetValue<int>(), gate.ToJsonString());
        Assert.Equal(record["events_scanned"]!.GetValue<int>(), gate["events_scanned"]!.GetValue<int>());
    }

    [Fact]
    public void EvaluateWithoutAScenarioOrRealFilesOrWithABadEventListIsOneLineError()
    {
        var dir = CliHarness.TempDir();
        var (code, _, err) = CliHarness.Run("evaluate", "--model", ShippedModel, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("give --config and --duration", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        (code, _, err) = CliHarness.Run("evaluate", "--model", ShippedModel, "--config", CliHarness.Config("virgo-o3.yaml"), "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("--duration is required", err, StringComparison.Ordinal);
        var bad = Path.Combine(dir, "events.json");
        File.WriteAllText(bad, """{"GW1": {"name": "GW1"}}""");
        (code, _, err) = CliHarness.Run("evaluate", "--model", ShippedModel, "--real", Path.Combine(dir, "x.hdf5"), "--events", bad, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("has no numeric 'tevent'", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(dir, "report.json")));
    }
}

/// <summary>noise calibrate: a scenario measured from real strain, checked against the twin it makes.</summary>
public class CalibrateCliTests
{
    private static string Gwosc(string name) => Path.Combine(CliHarness.RepoRoot(), "..", "shared", "data", "strain", name);

    [SkippableFact]
    public void ARealLigoFileCalibratesAScenarioWhoseTwinPassesTheCheck()
    {
        var h1 = Gwosc("H-H1_LOSC_4_V2-1126259446-32.hdf5");
        Skip.IfNot(File.Exists(h1), "../shared/data/strain is not beside this checkout");
        var dir = CliHarness.TempDir();
        var yaml = Path.Combine(dir, "h1.yaml");
        var (code, stdout, err) = CliHarness.Run("calibrate", "--in", h1, "--out", yaml, "--check", "--plots");
        Assert.True(code == 0, stdout + err);
        // the scenario loads as any other, names its source and its checksum
        var s = Noise.Core.ScenarioLoader.Load(yaml);
        Assert.Equal("H1:GWOSC-STRAIN", s.Channel);
        Assert.Equal(4096, s.SampleRate);
        Assert.True(s.Lines.Count >= 20, $"{s.Lines.Count} lines");
        var text = File.ReadAllText(yaml);
        using (var f = File.OpenRead(h1))
            Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f)), text, StringComparison.Ordinal);
        Assert.Contains("calibrated_from:", text, StringComparison.Ordinal);
        var check = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "h1_check.json")))!;
        Assert.True(check["passed"]!.GetValue<bool>());
        Assert.Contains(check["checks"]!.AsArray(), c => c!["name"]!.GetValue<string>().StartsWith("ASD", StringComparison.Ordinal) && c["pass"]!.GetValue<bool>());
        foreach (var png in new[] { "h1_asd.png", "h1_qscan-real.png", "h1_qscan-twin.png" })
            Assert.True(new FileInfo(Path.Combine(dir, png)).Length > 10_000, png);
        // the twin of it, simulated by noise simulate as any scenario
        (code, _, err) = CliHarness.Run("simulate", "--config", yaml, "--duration", "16", "--out", Path.Combine(dir, "sim"), "--format", "hdf5");
        Assert.True(code == 0, err);
    }

    [Fact]
    public void BadCalibrateInputIsOneLineError()
    {
        var dir = CliHarness.TempDir();
        var (code, _, err) = CliHarness.Run("calibrate", "--in", Path.Combine(dir, "none.hdf5"), "--out", Path.Combine(dir, "x.yaml"), "--f-low", "-3");
        Assert.Equal(2, code);
        Assert.Contains("--f-low must be a positive frequency", err, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run("calibrate", "--in", Path.Combine(dir, "none.hdf5"), "--out", Path.Combine(dir, "x.txt"));
        Assert.Equal(2, code);
        Assert.Contains("ends in .yaml", err, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run("calibrate", "--in", Path.Combine(dir, "none.hdf5"), "--out", Path.Combine(dir, "x.yaml"));
        Assert.Equal(2, code);
        Assert.Contains("file not found", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(dir, "x.yaml")));
    }
}

/// <summary>noise info --in FILE.gwf: a frame file's channels.</summary>
public class FrameInfoCliTests
{
    [Fact]
    public void InfoListsAFrameFilesChannelsAndACorruptOneIsOneLineError()
    {
        var frame = Path.Combine(CliHarness.RepoRoot(), "tests", "data", "frames", "HLV-HW100916-968654552-1.gwf");
        var (code, stdout, err) = CliHarness.Run("info", "--in", frame);
        Assert.True(code == 0, err);
        Assert.Contains("3 channels, checksums verified", stdout, StringComparison.Ordinal);
        Assert.Contains("V1:h_16384Hz", stdout, StringComparison.Ordinal);
        Assert.Contains("16384 Hz  GPS 968654552.000 - 968654553.000 (1 s)", stdout, StringComparison.Ordinal);
        var dir = CliHarness.TempDir();
        var bad = Path.Combine(dir, "bad.gwf");
        var bytes = File.ReadAllBytes(frame);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(bad, bytes);
        (code, _, err) = CliHarness.Run("info", "--in", bad);
        Assert.Equal(2, code);
        Assert.Contains("checksum error", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
    }
}
