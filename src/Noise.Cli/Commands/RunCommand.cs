using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Noise.Core;
using Noise.Detection;
using Noise.Detection.Model;
using Noise.IO;

namespace Noise.Cli.Commands;

/// <summary>`noise run`: the main job. Simulate a scenario, run the shipped model and the baseline on it, report.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config(required: false);
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds to simulate (default 300).", DefaultValueFactory = _ => 300 };
        var outDir = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder (default out/run).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "run")) };
        var model = new Option<DirectoryInfo?>("--model", "-m") { Description = "Model folder (default: the shipped models/glitchnet-o3)." };
        var seed = new Option<long?>("--seed") { Description = "Seed of the simulated data (default: the scenario's + 1, not a training seed)." };
        var cmd = new Command("run",
            "The main job: simulate a scenario (default configs/virgo-o3.yaml, 300 s), run the shipped glitch model and the\n" +
            "Q-transform baseline over the strain at their 1-per-hour thresholds, and write the strain, the ground-truth\n" +
            "catalogue, both pipelines' triggers (Parquet and JSON lines), report.json and efficiency.png.\n" +
            "Example: noise run --duration 600 --out out/run")
        { config, duration, outDir, model, seed };
        cmd.SetAction(r => Run(r.GetValue(config), r.GetValue(duration), r.GetValue(outDir)!, r.GetValue(model), r.GetValue(seed)));
        return cmd;
    }

    /// <summary>The shipped model: beside the binary (containers, publish) or in the repository's models/ folder.</summary>
    public static DirectoryInfo ShippedModel()
    {
        foreach (var dir in new[] { Path.Combine(AppContext.BaseDirectory, "models", "glitchnet-o3"), Path.Combine("models", "glitchnet-o3") })
            if (File.Exists(Path.Combine(dir, ModelStore.SpecFile))) return new DirectoryInfo(dir);
        throw new NoiseInputException("no shipped model found (models/glitchnet-o3); pass --model DIR");
    }

    /// <summary>The seconds the run's state vector marks not analysis-ready, as [start, end) stretches.</summary>
    private static List<(long Start, long End)> UnreadyOf(string dir)
    {
        var list = new List<(long Start, long End)>();
        if (!Outputs.HasFormat(dir, StateVectorFile.Format)) return list;
        var (first, states) = StateVectorFile.Read(Outputs.FileOfFormat(dir, StateVectorFile.Format));
        for (int i = 0; i < states.Length; i++)
        {
            if ((states[i] & 3) == 3) continue;
            if (list.Count > 0 && list[^1].End == first + i) list[^1] = (list[^1].Start, first + i + 1);
            else list.Add((first + i, first + i + 1));
        }
        return list;
    }

    private static int Run(FileInfo? configFile, double duration, DirectoryInfo outDir, DirectoryInfo? modelDir, long? seedOpt)
    {
        var modelPath = (modelDir ?? ShippedModel()).FullName;
        var (net, spec, doc) = ModelStore.Load(modelPath);
        using (net)
        {
            var cfg = CliOptions.ResolveConfig(configFile ?? new FileInfo("virgo-o3.yaml"));
            var scenario = ScenarioLoader.Load(cfg.FullName);
            long seed = seedOpt ?? scenario.Seed + 1;
            int code = SimulateCommand.Run(cfg, duration, outDir, seed, null, "cpu", "both", 64, null, null, null, true, false);
            if (code != 0) return code;
            scenario = scenario with { Seed = seed };
            var strain = StrainReader.Read(Outputs.FileOfFormat(outDir.FullName, "hdf5"));
            var detector = Detector.ForCores(net, spec, CliOptions.ResolveThreads(null));
            var evaluator = new Evaluator(detector, new EvaluateOptions { Scenario = scenario, Duration = duration });
            var (threshold, baseSnr, _, _) = DetectCommand.Thresholds(doc, null, null);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"detecting with {modelPath} (p >= {threshold:F4}) and the Q-transform baseline (SNR >= {baseSnr:F2})"));
            var (scores, tiles) = DetectCommand.Scan(strain, detector, evaluator.Baseline, threshold);
            var (truth, notScanned) = evaluator.Scanned(scenario, duration, UnreadyOf(outDir.FullName), scores);
            var report = evaluator.Report(scenario, truth, scores, tiles, threshold, baseSnr, double.NaN, double.NaN);
            report["glitches_not_scanned"] = notScanned;
            report["model"]!["model_folder"] = modelPath;
            report["note"] = "thresholds are the model's recorded 1/h thresholds from its training scenario; far_per_hour is not measured by run (see noise evaluate)";
            var rows = DetectCommand.Records(detector.Triggers(scores, threshold),
                QTriggers.Cluster(tiles.Where(t => t.Snr >= baseSnr).ToList(), evaluator.Baseline.ClusterSeconds), scenario.Detector, scenario.Channel);
            string stem = Path.Combine(outDir.FullName, Outputs.FileStem(scenario.Name + "_triggers", scenario.Detector, scenario.GpsStart, duration));
            TriggerFile.WriteParquet(stem + ".parquet", rows, new Dictionary<string, string> { ["model"] = modelPath, ["software"] = "noise " + Program.Version });
            TriggerFile.WriteJsonLines(stem + ".jsonl", rows);
            LigoLw.WriteSnglBurst(stem + ".xml.gz", rows, "noise run", Program.Version, scenario.GpsStart, TriggerRecord.Gps(scenario.GpsStart.ToDouble() + duration), scenario.Detector);
            var path = Path.Combine(outDir.FullName, "report.json");
            AtomicFile.WriteAllText(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Console.WriteLine($"wrote {stem}.parquet, .jsonl and .xml.gz ({rows.Count(r => r.Pipeline == TriggerRecords.ModelPipeline)} model triggers, {rows.Count(r => r.Pipeline == TriggerRecords.BaselinePipeline)} baseline triggers)");
            Console.WriteLine($"wrote {path}");
            foreach (var p in EvaluateCommand.Plots(report, outDir.FullName)) Console.WriteLine($"wrote {p}");
            Console.WriteLine(EvaluateCommand.Summary(report));
        }
        return 0;
    }
}
