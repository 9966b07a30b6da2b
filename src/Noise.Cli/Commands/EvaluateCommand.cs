using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noise.Core;
using Noise.Detection.Model;
using Noise.IO;
using Noise.Streaming;
using ScottPlot;

namespace Noise.Cli.Commands;

/// <summary>`noise evaluate`: the model against the Q-transform baseline at the same false-alarm rate, on any scenario.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model", "-m") { Description = "Model folder (model.json + model.bin), e.g. models/glitchnet-o3.", Required = true };
        var config = CliOptions.Config(required: false);
        config.Description += " Required unless only --real files are checked.";
        var duration = new Option<double?>("--duration", "-d") { Description = "Seconds of fresh labelled data of the scenario to evaluate on (with --config)." };
        var background = new Option<double>("--background") { Description = "Seconds of glitch-free data of the same scenario on which both thresholds are set (at least 3600: a FAR of 1/h needs an hour; default 14400, so a threshold rests on four background triggers, not one).", DefaultValueFactory = _ => 14400 };
        var seed = new Option<long?>("--seed") { Description = "Seed of the evaluation data (default: the scenario's + 1, never a training seed)." };
        var outDir = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for report.json and the plots.", Required = true };
        var threads = CliOptions.Threads();
        var snrFloor = new Option<double?>("--snr-floor") { Description = "Draw every glitch family of the labelled stretch from this SNR up (power law kept), to measure the bins below the scenario's own floor (O3's glitches start at 6.5); thresholds are unchanged. Recorded as snr_floor in report.json." };
        var update = new Option<bool>("--update-model") { Description = "Record the two thresholds and this report's headline numbers in the model's model.json: through the stream under metrics.stream (what `noise stream` then uses), with --pipeline block at the top of metrics (what detect and run use); with --pipeline block and --real, the real-data gate's totals too (metrics.real_data, which a regression test holds the model to)." };
        var pipeline = new Option<string>("--pipeline") { Description = "How both stretches are scanned and triggers made: 'stream' (default: the streaming service's own pipeline, replayed at full speed: running PSD, FIR whitening, its clustering; the thresholds are then the ones to give noise stream) or 'block' (block conditioning of 256 s chunks, as noise detect reads a file).", DefaultValueFactory = _ => "stream" };
        pipeline.AcceptOnlyFromAmong("stream", "block");
        var hold = new Option<double?>("--hold") { Description = "With the stream pipeline: the stream's --hold, the most a trigger may wait after its run's first window (default 0.5 s, as noise stream). A longer hold lets the stream choose the trigger's window, and so its class, from more of the run, at that much more latency (on O3, 1 s gave the same class accuracy as 0.5 s)." };
        var real = new Option<FileInfo[]>("--real") { Description = "Real strain files (GWOSC HDF5/ASCII, any rate the model can be brought to) to scan with both pipelines as noise detect does, at the thresholds of this evaluation (--pipeline block) or else model.json's recorded block thresholds: per file, triggers outside +-1 s of a catalogued GW event (false alarms, and their rate per hour) and whether each GW event the data cover was called a glitch; report.json's real_data. Alone (without --config) only this is done.", AllowMultipleArgumentsPerToken = true };
        var events = new Option<FileInfo[]>("--events") { Description = "GW event lists for --real, in GWOSC's event-list JSON layout (e.g. ../shared/data/strain/BBH_events_v3.json); default: the shipped configs/gw-events.json (GWTC-1's confident events).", AllowMultipleArgumentsPerToken = true };
        var noCbc = CliOptions.NoCbcCheck();
        var cmd = new Command("evaluate",
            "Evaluate a model on a scenario it may never have seen: simulate a fresh labelled stretch and glitch-free data,\n" +
            "run the model and the Q-transform baseline over them exactly as noise stream would (its whitening, windows,\n" +
            "baseline segments and clustering, replayed at full speed; --pipeline block scans as noise detect does), set\n" +
            "each one's threshold for a false alarm rate of 1 per hour on the glitch-free data, and write report.json with\n" +
            "efficiency by SNR, timing, class accuracy and the confusion matrix, plus efficiency.png, roc.png and confusion.png.\n" +
            "With --real FILE..., real strain is scanned too and its false alarms counted (real data are the judge).\n" +
            "Example: noise evaluate --model models/glitchnet-o3 --config virgo-o3.yaml --duration 3600 --out out/eval\n" +
            "         noise evaluate --model models/glitchnet-o3 --real ../shared/data/strain/*.hdf5 --out out/real")
        { model, config, duration, background, seed, outDir, threads, snrFloor, update, pipeline, hold, real, events, noCbc };
        cmd.SetAction(r => Run(r.GetValue(model)!, r.GetValue(config), r.GetValue(duration), r.GetValue(background), r.GetValue(seed), r.GetValue(outDir)!, r.GetValue(threads), r.GetValue(snrFloor), r.GetValue(update), r.GetValue(pipeline)!, r.GetValue(hold),
            r.GetValue(real) ?? [], r.GetValue(events) ?? [], r.GetValue(noCbc)));
        return cmd;
    }

    private static int Run(DirectoryInfo modelDir, FileInfo? configFile, double? durationOpt, double background, long? seedOpt, DirectoryInfo outDir, int? threads, double? snrFloor, bool update, string pipeline, double? hold,
        FileInfo[] real, FileInfo[] eventFiles, bool noCbc = false)
    {
        if (configFile is null)
        {
            if (real.Length == 0) throw new NoiseInputException("give --config and --duration (a scenario to evaluate on), --real FILE... (real strain to check), or both");
            if (durationOpt is not null) throw new NoiseInputException("--duration needs --config (the scenario to simulate)");
            if (update) throw new NoiseInputException("--update-model records a scenario's evaluation; give --config and --duration");
            return RealOnly(modelDir, outDir, real, eventFiles, noCbc);
        }
        if (durationOpt is not double duration) throw new NoiseInputException("--duration is required with --config: seconds of labelled data to evaluate on");
        if (snrFloor is double f && !(f > 0 && double.IsFinite(f))) throw new NoiseInputException($"--snr-floor must be a positive SNR, got {f}");
        if (snrFloor is not null && update) throw new NoiseInputException("--update-model records a report on the scenario as it is; leave out --snr-floor");
        if (!(duration > 0) || !double.IsFinite(duration)) throw new NoiseInputException($"--duration must be a positive number of seconds, got {duration}");
        if (!(background >= 3600)) throw new NoiseInputException($"--background must be at least 3600 s to measure a false-alarm rate of 1 per hour, got {background}");
        if (hold is double h && !(h >= 0 && double.IsFinite(h))) throw new NoiseInputException($"--hold must be a non-negative number of seconds, got {h}");
        if (hold is not null && pipeline == "block") throw new NoiseInputException("--hold is the stream's; --pipeline block clusters whole runs");
        var scenario = ScenarioLoader.Load(CliOptions.ResolveConfig(configFile).FullName);
        var (net, spec, doc) = ModelStore.Load(modelDir.FullName);
        using (net)
        {
            long seed = seedOpt ?? scenario.Seed + 1;
            if (seed == spec.TrainingSeed || seed == spec.ValidationSeed)
                Console.Error.WriteLine($"warning: seed {seed} was used to train or validate this model");
            int threadCount = CliOptions.ResolveThreads(threads);
            var detector = Detector.ForCores(net, spec, threadCount);
            if (noCbc) detector.CbcCheck = null;
            var evaluator = new Evaluator(detector, new EvaluateOptions
            {
                Scenario = scenario,
                Duration = duration,
                BackgroundSeconds = background,
                SnrFloor = snrFloor,
                Threads = threadCount,
                Pipeline = pipeline == "block" ? null : new StreamScan(detector, StreamScan.SettingsFor(spec, new StreamSettings { HoldSeconds = hold ?? new StreamSettings().HoldSeconds }), threadCount),
            });
            var progress = new Dictionary<string, ProgressReporter>();
            var events = real.Length > 0 ? CliOptions.LoadEvents(eventFiles) : [];
            var realFiles = real.Select(ReadReal).ToList();   // a bad file fails before hours of simulation, not after
            var report = evaluator.Run(seed, Console.Error.WriteLine, (stage, f) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"progress: {stage} {f:P0}")));
            report["model"]!["model_folder"] = modelDir.FullName;
            if (realFiles.Count > 0)
            {
                // real files are scanned as detect reads them (block conditioning): at this evaluation's thresholds when
                // it ran that way, else at the block thresholds the model records (the ones detect and run use)
                bool own = pipeline == "block";
                var (mth, bth, _, _) = own ? (report["model"]!["threshold"]!.GetValue<double>(), report["baseline"]!["threshold"]!.GetValue<double>(), 1.0, 1.0)
                    : DetectCommand.Thresholds(doc, null, null);
                report["real_data"] = RealData(detector, realFiles, events, mth, bth, own ? "this evaluation (block)" : "model.json (block)");
            }
            WriteReport(outDir, report);
            foreach (var p in Plots(report, outDir.FullName)) Console.WriteLine($"wrote {p}");
            Console.WriteLine(Summary(report));
            if (report["real_data"] is JsonObject rd) Console.WriteLine(RealSummary(rd));
            if (update) RecordInModel(modelDir.FullName, report);
        }
        return 0;
    }

    /// <summary>Only the real-data gate, at the model's recorded block thresholds.</summary>
    private static int RealOnly(DirectoryInfo modelDir, DirectoryInfo outDir, FileInfo[] real, FileInfo[] eventFiles, bool noCbc)
    {
        var events = CliOptions.LoadEvents(eventFiles);
        var (net, spec, doc) = ModelStore.Load(modelDir.FullName);
        using (net)
        {
            var detector = Detector.ForCores(net, spec, CliOptions.ResolveThreads(null));
            if (noCbc) detector.CbcCheck = null;
            var (mth, bth, _, _) = DetectCommand.Thresholds(doc, null, null);
            var gate = RealData(detector, real.Select(ReadReal), events, mth, bth, "model.json (block)");
            var report = new JsonObject
            {
                ["model"] = new JsonObject { ["model_folder"] = modelDir.FullName, ["threshold"] = mth },
                ["baseline"] = new JsonObject { ["threshold"] = bth },
                ["software"] = "noise " + Program.Version,
                ["real_data"] = gate,
            };
            WriteReport(outDir, report);
            Console.WriteLine(RealSummary(gate));
        }
        return 0;
    }

    /// <summary>The real-data gate over the files at the given block thresholds, saying where the thresholds came from.</summary>
    private static JsonObject RealData(Detector detector, IEnumerable<RealStrain> files, List<GwEvent> events, double modelThreshold, double baselineThreshold, string thresholdsFrom)
    {
        var gate = new RealDataGate(detector, Evaluator.BaselineSettings(detector.Spec)).Check(files, events, modelThreshold, baselineThreshold, Console.Error.WriteLine);
        gate["thresholds_from"] = thresholdsFrom;
        return gate;
    }

    /// <summary>OUT/report.json, written whole or not at all.</summary>
    private static void WriteReport(DirectoryInfo outDir, JsonObject report)
    {
        Directory.CreateDirectory(outDir.FullName);
        var path = Path.Combine(outDir.FullName, "report.json");
        AtomicFile.WriteAllText(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"wrote {path}");
    }

    private static RealStrain ReadReal(FileInfo file)
    {
        var s = StrainReader.Read(file.FullName);
        return new RealStrain(file.FullName, DetectCommand.DetectorOf(s), s.Channel, s.SampleRate, s.GpsStart, s.Data);
    }

    public static string RealSummary(JsonObject gate)
    {
        var called = gate["events_called_glitch_list"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"real data ({gate["files"]} files, {gate["live_seconds"]} s live): model {gate["model_false_triggers"]} false triggers ({gate["model_false_per_hour"]}/h), baseline {gate["baseline_false_triggers"]} ({gate["baseline_false_per_hour"]}/h); ") +
            $"GW events called glitches: {called.Count} of {gate["events_scanned"]}{(called.Count > 0 ? " (" + string.Join(", ", called) + ")" : "")}";
    }

    /// <summary>
    /// Writes the thresholds and the report's headline numbers into model.json's metrics (atomically): at its top
    /// level for block conditioning (what detect and run use), under metrics.stream through the stream (what
    /// `noise stream` uses). The two pipelines need their own: the stream's whitening and 16 s baseline segments
    /// set other thresholds for the same 1/h.
    /// </summary>
    private static void RecordInModel(string dir, JsonObject report)
    {
        var path = Path.Combine(dir, ModelStore.SpecFile);
        var doc = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var root = doc["metrics"]?.AsObject() ?? new JsonObject();
        bool stream = report["pipeline"]?.GetValue<string>() == "stream";
        var metrics = !stream ? root : root["stream"]?.AsObject() ?? new JsonObject();
        if (stream) root["stream"] = metrics;
        metrics["threshold_far_1_per_hour"] = report["model"]!["threshold"]!.DeepClone();
        metrics["baseline_snr_far_1_per_hour"] = report["baseline"]!["threshold"]!.DeepClone();
        metrics["evaluation"] = new JsonObject
        {
            ["scenario"] = report["scenario"]!.DeepClone(),
            ["seed"] = report["seed"]!.DeepClone(),
            ["duration_seconds"] = report["duration_seconds"]!.DeepClone(),
            ["background_seconds"] = report["background_seconds"]!.DeepClone(),
            ["model"] = report["model"]!.DeepClone(),
            ["baseline"] = report["baseline"]!.DeepClone(),
        };
        metrics["evaluation"]!["model"]!.AsObject().Remove("model_folder");
        // the real-data gate's totals at these thresholds (block only: real files are scanned as detect reads them),
        // which a regression test holds the model to
        if (!stream && report["real_data"] is JsonObject real)
            root["real_data"] = new JsonObject
            {
                ["files"] = new JsonArray(real["per_file"]!.AsArray().Select(f => (JsonNode)f!["file"]!.GetValue<string>()).ToArray()),
                ["live_seconds"] = real["live_seconds"]!.DeepClone(),
                ["model_false_triggers"] = real["model_false_triggers"]!.DeepClone(),
                ["baseline_false_triggers"] = real["baseline_false_triggers"]!.DeepClone(),
                ["events_scanned"] = real["events_scanned"]!.DeepClone(),
                ["events_called_glitch"] = real["events_called_glitch"]!.DeepClone(),
                ["events_called_glitch_list"] = real["events_called_glitch_list"]!.DeepClone(),
            };
        doc["metrics"] = root;
        AtomicFile.WriteAllText(path, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"recorded the thresholds and the headline numbers in {path}");
    }

    public static string Summary(JsonObject report)
    {
        string Bins(string who) => string.Join("  ", report[who]!["efficiency_by_snr"]!.AsArray().Select(b =>
            string.Create(CultureInfo.InvariantCulture, $"[{b!["snr_min"]},{b["snr_max"]?.ToString() ?? "inf"}) {(b["efficiency"] is { } e ? e.GetValue<double>().ToString("F2", CultureInfo.InvariantCulture) : "-")} n={b["n"]}")));
        string Far(string who) => report[who]!["far_per_hour"] is { } f ? $"{f}/h" : "FAR not measured here";
        return $"model    (p >= {report["model"]!["threshold"]}, {Far("model")}): {Bins("model")}\n" +
               $"baseline (SNR >= {report["baseline"]!["threshold"]}, {Far("baseline")}): {Bins("baseline")}\n" +
               (report["ideal_search"] is not null ? $"ideal matched search, same FAR (an upper bound): {Bins("ideal_search")}\n" : "") +
               $"model class accuracy (SNR >= 8): {report["model"]!["class_accuracy_snr_ge_8"]?.ToString() ?? "- (the model found no glitch of SNR 8 or more)"}";
    }

    public static IEnumerable<string> Plots(JsonObject report, string dir)
    {
        // efficiency against SNR, model and baseline at the same FAR
        var plt = new Plot();
        if (report["ideal_search"]?["efficiency_by_snr"] is JsonArray idealBins)
        {
            // the physical limit under both pipelines' points
            var filled = idealBins.Where(b => b!["efficiency"] is not null).ToList();
            var ideal = plt.Add.ScatterLine(filled.Select(b => Math.Log10(b!["snr_max"] is { } hi ? Math.Sqrt(b["snr_min"]!.GetValue<double>() * hi.GetValue<double>()) : 70)).ToArray(),
                filled.Select(b => b!["efficiency"]!.GetValue<double>()).ToArray());
            ideal.LegendText = "ideal matched search (bound)";
            ideal.LinePattern = LinePattern.Dashed;
            ideal.Color = Colors.Gray;
            ideal.MarkerSize = 0;
        }
        foreach (var (who, shift) in new[] { ("model", -0.006), ("baseline", 0.006) })
        {
            var bins = report[who]!["efficiency_by_snr"]!.AsArray().Where(b => b!["efficiency"] is not null).ToList();
            // bin centres (geometric), the two pipelines nudged apart so their error bars do not hide each other
            var xs = bins.Select(b => Math.Log10(b!["snr_max"] is { } hi ? Math.Sqrt(b["snr_min"]!.GetValue<double>() * hi.GetValue<double>()) : 70) + shift).ToArray();
            var ys = bins.Select(b => b!["efficiency"]!.GetValue<double>()).ToArray();
            var line = plt.Add.ScatterLine(xs, ys);
            line.LegendText = report[who]!["far_per_hour"] is { } far ? $"{who} ({far}/h)" : who;
            line.MarkerSize = 7;
            // 68 % intervals (reports written before them have none)
            if (bins.All(b => b!["efficiency_interval"] is JsonArray))
            {
                var bars = plt.Add.ErrorBar(xs, ys, new double[ys.Length]);
                bars.YErrorNegative = bins.Select((b, i) => ys[i] - b!["efficiency_interval"]![0]!.GetValue<double>()).ToArray();
                bars.YErrorPositive = bins.Select((b, i) => b!["efficiency_interval"]![1]!.GetValue<double>() - ys[i]).ToArray();
                bars.Color = line.Color;
            }
        }
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture) };
        plt.XLabel("optimal SNR");
        plt.YLabel("efficiency");
        plt.Axes.SetLimitsY(0, 1.05);
        plt.Title($"{report["scenario"]}: efficiency at a false-alarm rate of 1/h");
        plt.ShowLegend(Alignment.LowerRight);
        var eff = Path.Combine(dir, "efficiency.png");
        PlotFiles.SavePng(plt, eff, 900, 600);
        yield return eff;

        // ROC of the model (evaluate only: run sets no thresholds of its own)
        if (report["roc"] is null) yield break;
        var roc = new Plot();
        var pts = report["roc"]!.AsArray().Where(p => p!["efficiency_snr_ge_5"] is not null).ToList();
        var r = roc.Add.ScatterLine(pts.Select(p => Math.Log10(Math.Max(0.01, p!["far_per_hour"]!.GetValue<double>()))).ToArray(), pts.Select(p => p!["efficiency_snr_ge_5"]!.GetValue<double>()).ToArray());
        r.MarkerSize = 6;
        roc.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture) };
        roc.XLabel("false alarms per hour (glitch-free data; 0 drawn at 0.01)");
        roc.YLabel("efficiency, glitches of SNR >= 5");
        roc.Title("model ROC");
        var rocPath = Path.Combine(dir, "roc.png");
        PlotFiles.SavePng(roc, rocPath, 900, 600);
        yield return rocPath;

        // confusion matrix
        var cm = report["model"]!["confusion_matrix"]!;
        var truth = cm["true"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        var pred = cm["predicted"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        if (truth.Length > 0)
        {
            var counts = cm["counts"]!.AsArray();
            var z = new double[truth.Length, pred.Length];
            for (int i = 0; i < truth.Length; i++)
            {
                var row = counts[i]!.AsArray();
                double sum = row.Sum(v => v!.GetValue<int>());
                for (int j = 0; j < pred.Length; j++) z[truth.Length - 1 - i, j] = sum > 0 ? row[j]!.GetValue<int>() / sum : 0;
            }
            var hm = new Plot();
            var h = hm.Add.Heatmap(z);
            h.Colormap = new ScottPlot.Colormaps.Viridis();
            hm.Add.ColorBar(h);
            hm.Axes.Bottom.SetTicks(Enumerable.Range(0, pred.Length).Select(i => (double)i).ToArray(), pred);
            hm.Axes.Bottom.TickLabelStyle.Rotation = 45;
            hm.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            hm.Axes.Left.SetTicks(Enumerable.Range(0, truth.Length).Select(i => (double)i).ToArray(), truth.Reverse().ToArray());
            hm.Title("model classes (rows: truth, SNR >= 8, found; fraction per row)");
            var cmPath = Path.Combine(dir, "confusion.png");
            PlotFiles.SavePng(hm, cmPath, 1000, 800);
            yield return cmPath;
        }
    }
}
