using System.CommandLine;
using System.Globalization;
using Noise.Core;
using Noise.Detection;
using Noise.Detection.Model;
using Noise.IO;

namespace Noise.Cli.Commands;

/// <summary>`noise detect`: the model and the baseline over a strain file (GWOSC HDF5/ASCII or our Parquet/HDF5).</summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo[]>("--in", "-i") { Description = "Strain files: GWOSC HDF5 (.hdf5/.h5), GWOSC ASCII (.txt), or noise's Parquet/HDF5. Any rate the model can be brought to (a power-of-two multiple of its rate).", Required = true, AllowMultipleArgumentsPerToken = true };
        var model = new Option<DirectoryInfo>("--model", "-m") { Description = "Model folder (model.json + model.bin).", Required = true };
        var outDir = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for the triggers: {file}_TRIGGERS.parquet, .jsonl and .xml.gz (LIGO_LW sngl_burst with process and search_summary) per input.", Required = true };
        var threshold = new Option<double?>("--threshold") { Description = "Model glitch-probability threshold (default: the one model.json records for a FAR of 1/h on its training scenario, else 0.5)." };
        var baseline = new Option<double?>("--baseline-snr") { Description = "Baseline tile SNR threshold (default: the one model.json records, else 6)." };
        var windowsOut = new Option<bool>("--windows-out") { Description = "Also write the conditioned windows the model scored ({file}_WINDOWS.f32: raw little-endian float32, one window after another) and its scores of them ({file}_SCORES.f32: per window the class probabilities in model.json's order, then the transient's time in the window in s), the layout models/glitchnet.py reads and writes: python3 models/glitchnet.py MODEL --windows X_WINDOWS.f32 --reference X_SCORES.f32 scores them in PyTorch and compares." };
        var channel = CliOptions.FrameChannel();
        var join = new Option<bool>("--join") { Description = "Scan all the inputs as one stretch in GPS order (a folder of 1 s low-latency frames, consecutive GWOSC files), NaN where none covers a second; triggers go to {OBS}-{IFO}_JOINED-{GPS}-{DURATION}_TRIGGERS.*." };
        var noCbc = CliOptions.NoCbcCheck();
        var range = new Option<string?>("--gps-range") { Description = "START,END in GPS seconds: scan only this range of the inputs (implies --join), e.g. 1238166018,1238169618." };
        var cmd = new Command("detect",
            "Run the glitch model and the Q-transform baseline over strain files and write their triggers (Parquet and\n" +
            "JSON lines, sngl_burst/Omicron columns, one row per trigger, pipeline glitchnet or qtransform).\n" +
            "Example: noise detect --in ../shared/data/strain/H-H1_LOSC_4_V2-1126259446-32.hdf5 --model models/glitchnet-o3 --out out/detect")
        { input, model, outDir, threshold, baseline, windowsOut, channel, join, range, noCbc };
        cmd.SetAction(r => Run(r.GetValue(input)!, r.GetValue(model)!, r.GetValue(outDir)!, r.GetValue(threshold), r.GetValue(baseline), r.GetValue(windowsOut), r.GetValue(channel),
            r.GetValue(join), r.GetValue(range), r.GetValue(noCbc)));
        return cmd;
    }

    private static int Run(FileInfo[] inputs, DirectoryInfo modelDir, DirectoryInfo outDir, double? thresholdOpt, double? baselineOpt, bool windowsOut, string? channel,
        bool join = false, string? rangeText = null, bool noCbc = false)
    {
        (double Start, double End)? range = null;
        if (rangeText is not null)
        {
            var p = rangeText.Split(',');
            if (p.Length != 2 || !double.TryParse(p[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var g0) || !double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var g1) || !(g1 > g0))
                throw new NoiseInputException($"--gps-range: '{rangeText}' is not START,END in GPS seconds with END after START");
            range = (g0, g1);
            join = true;
        }
        var (net, spec, doc) = ModelStore.Load(modelDir.FullName);
        using (net)
        {
            var (threshold, baseSnr, _, _) = Thresholds(doc, thresholdOpt, baselineOpt);
            if (threshold is <= 0 or >= 1) throw new NoiseInputException($"--threshold must lie in (0, 1), got {threshold}");
            var detector = Detector.ForCores(net, spec, CliOptions.ResolveThreads(null));
            if (noCbc) detector.CbcCheck = null;
            var settings = Evaluator.BaselineSettings(spec);
            Directory.CreateDirectory(outDir.FullName);
            AtomicFile.CleanStale(outDir.FullName);   // what a killed run left (as simulate and merge do)
            // each input on its own, or all of them as one stretch
            var stretches = join
                ? [() => { var s = StrainReader.Join(inputs.Select(f => f.FullName).ToList(), channel, range?.Start, range?.End); return (s, JoinedName(s)); }]
                : inputs.Select<FileInfo, Func<(StrainSeries, string)>>(f => () => (StrainReader.Read(f.FullName, channel), Path.GetFileNameWithoutExtension(f.Name))).ToList();
            foreach (var next in stretches)
            {
                var (strain, name) = next();
                int fs = (int)Math.Round(strain.SampleRate);
                if (fs < spec.SampleRate)
                    throw new NoiseInputException($"{strain.Source}: sampled at {fs} Hz, below the model's {spec.SampleRate} Hz");
                string stem = Path.Combine(outDir.FullName, name + "_TRIGGERS");
                using var export = windowsOut ? new WindowExport(Path.Combine(outDir.FullName, name)) : null;
                detector.Scored = export is null ? null : export.Add;
                var (scores, tiles) = Scan(strain, detector, settings, threshold);
                export?.Complete();
                string ifo = DetectorOf(strain);
                var rows = Records(detector.Triggers(scores, threshold), QTriggers.Cluster(tiles.Where(t => t.Snr >= baseSnr).ToList(), settings.ClusterSeconds), ifo, strain.Channel);
                TriggerFile.WriteParquet(stem + ".parquet", rows, new Dictionary<string, string>
                {
                    ["source"] = strain.Source,
                    ["model"] = modelDir.FullName,
                    ["threshold"] = threshold.ToString("R", CultureInfo.InvariantCulture),
                    ["baseline_snr"] = baseSnr.ToString("R", CultureInfo.InvariantCulture),
                    ["software"] = "noise " + Program.Version,
                });
                TriggerFile.WriteJsonLines(stem + ".jsonl", rows);
                LigoLw.WriteSnglBurst(stem + ".xml.gz", rows, "noise detect", Program.Version, TriggerRecord.Gps(strain.GpsStart), TriggerRecord.Gps(strain.GpsStart + strain.Duration), ifo);
                double maxP = scores.Count > 0 ? scores.Max(s => s.GlitchProbability) : double.NaN;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: {fs} Hz, {strain.Duration:F0} s, {scores.Count} windows (max glitch probability {maxP:F3}); model: {rows.Count(r => r.Pipeline == TriggerRecords.ModelPipeline)} triggers, baseline: {rows.Count(r => r.Pipeline == TriggerRecords.BaselinePipeline)} -> {stem}.parquet"));
                foreach (var r in rows)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Pipeline,-10} {r.PeakTime}  {(r.Pipeline == TriggerRecords.ModelPipeline ? $"p {r.Probability:F3} {r.Class} ({r.ClassProbability:F2})" : $"SNR {r.Snr:F1} at {r.CentralFrequency:F0} Hz")}"));
                // what the compact-binary test took off the model's glitch calls: one line per cleared run
                foreach (var m in scores.Where(s => s.Cbc is { Consistent: true }).Select(s => s.Cbc!).DistinctBy(m => m.Time).Where(m => m.ModelProbability >= threshold))
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {"cbc check",-10} {m.Time:F3}  not a glitch: a binary merger fits (SNR {m.Snr:F1}, reduced chi-square {m.ReducedChiSquare:F2}, chirp mass {m.ChirpMass:F1} Msun, q {m.MassRatio:F2}; model p {m.ModelProbability:F3})"));
            }
        }
        return 0;
    }

    /// <summary>The name of a joined stretch: {OBS}-{IFO}_JOINED-{GPS}-{DURATION}, as frame files are named.</summary>
    private static string JoinedName(StrainSeries s)
    {
        string ifo = DetectorOf(s);
        return string.Create(CultureInfo.InvariantCulture, $"{ifo[..1]}-{ifo}_JOINED-{Math.Floor(s.GpsStart):F0}-{Math.Ceiling(s.GpsStart + s.Duration) - Math.Floor(s.GpsStart):F0}");
    }

    /// <summary>
    /// --windows-out: the windows the model scored and its scores, appended as they come to two atomic files that
    /// take their final names ({stem}_WINDOWS.f32, {stem}_SCORES.f32) only once the input is done.
    /// </summary>
    private sealed class WindowExport : IDisposable
    {
        private readonly AtomicFile _windowsFile, _scoresFile;
        private readonly FileStream _windows, _scores;
        private float[] _row = [];

        public WindowExport(string stem)
        {
            _windowsFile = new AtomicFile(stem + "_WINDOWS.f32");
            _scoresFile = new AtomicFile(stem + "_SCORES.f32");
            _windows = File.Create(_windowsFile.TempPath);
            _scores = File.Create(_scoresFile.TempPath);
        }

        public void Add(IReadOnlyList<float[]> windows, IReadOnlyList<WindowScore> scores)
        {
            for (int i = 0; i < windows.Count; i++)
            {
                _windows.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(windows[i].AsSpan()));
                var probs = scores[i].ClassProbabilities;
                if (_row.Length != probs.Length + 1) _row = new float[probs.Length + 1];
                probs.CopyTo(_row, 0);
                _row[^1] = (float)(scores[i].Time - scores[i].Start);
                _scores.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_row.AsSpan()));
            }
        }

        public void Complete()
        {
            _windows.Dispose();
            _scores.Dispose();
            _windowsFile.Commit();
            _scoresFile.Commit();
        }

        /// <summary>Closes both files; those not committed are removed.</summary>
        public void Dispose()
        {
            _windows.Dispose();
            _scores.Dispose();
            _windowsFile.Dispose();
            _scoresFile.Dispose();
        }
    }

    /// <summary>The detector a strain series is from: its channel's IFO prefix, else the file name's (GWOSC: "H-H1_...").</summary>
    public static string DetectorOf(StrainSeries strain)
    {
        ArgumentNullException.ThrowIfNull(strain);
        var name = Path.GetFileName(strain.Source);
        return strain.Channel.Contains(':', StringComparison.Ordinal) ? strain.Channel.Split(':')[0] : name[..Math.Min(2, name.Length)].TrimEnd('-');
    }

    /// <summary>The model's window scores and the baseline's tiles over a whole strain series.</summary>
    /// <param name="threshold">The model threshold triggers are made at (the compact-binary test looks at runs from there).</param>
    public static (List<WindowScore> Scores, List<QTrigger> Tiles) Scan(StrainSeries strain, Detector detector, QTriggerSettings settings, double threshold)
    {
        var scanner = new StrainScanner(detector, settings, threshold);
        var result = scanner.ScanSeries(strain.SampleRate, strain.GpsStart, strain.Data);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timing: conditioning {scanner.ConditioningSeconds:F2} s, model {scanner.ModelSeconds:F2} s for {scanner.Windows} windows ({scanner.Windows / Math.Max(1e-9, scanner.ModelSeconds):F0} windows/s, {strain.Duration / Math.Max(1e-9, scanner.ModelSeconds):F0}x real time), baseline {scanner.BaselineSeconds:F2} s, cbc check {scanner.CbcSeconds:F2} s for {scanner.CbcRuns} runs"));
        return result;
    }

    /// <summary>
    /// The thresholds to use: those given, else the ones model.json records for a FAR of 1/h (`noise evaluate
    /// --update-model`: through the stream under metrics.stream, with block conditioning at the top of metrics),
    /// the asking pipeline's own first, else the other's, else 0.5 and SNR 6. Far: 1 for a recorded threshold,
    /// null for one given by hand or a default (its false-alarm rate is not known).
    /// </summary>
    public static (double Model, double Baseline, double? ModelFar, double? BaselineFar) Thresholds(
        System.Text.Json.Nodes.JsonObject doc, double? model, double? baseline, bool stream = false)
    {
        var metrics = doc["metrics"];
        var own = stream ? metrics?["stream"] : metrics;
        var other = stream ? metrics : metrics?["stream"];
        double? Recorded(string key) => own?[key]?.GetValue<double>() ?? other?[key]?.GetValue<double>();
        double? m = model is null ? Recorded("threshold_far_1_per_hour") : null;
        double? b = baseline is null ? Recorded("baseline_snr_far_1_per_hour") : null;
        return (model ?? m ?? 0.5, baseline ?? b ?? 6, m is null ? null : 1, b is null ? null : 1);
    }

    /// <summary>Both pipelines' triggers as sngl_burst-like rows, in time order.</summary>
    public static List<TriggerRecord> Records(IEnumerable<ModelTrigger> model, IEnumerable<QTrigger> baseline, string ifo, string channel) =>
        model.Select(t => TriggerRecords.Of(t, ifo, channel)).Concat(baseline.Select(q => TriggerRecords.Of(q, ifo, channel))).OrderBy(r => r.PeakTime).ToList();
}
