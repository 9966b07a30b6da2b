using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noise.Core;
using Noise.Detection.Calibration;
using Noise.IO;

namespace Noise.Cli.Commands;

/// <summary>`noise calibrate`: a scenario measured from real strain, and the check that the twin it makes agrees with that strain.</summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo[]>("--in", "-i") { Description = "Real strain files of one detector at one rate (GWOSC HDF5/ASCII, or noise's Parquet/HDF5); several files are measured together (their segments pooled).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "The scenario to write, e.g. configs/v1-o2.yaml; its curve is written beside it as SCENARIO_asd.txt.", Required = true };
        var name = new Option<string?>("--name") { Description = "Scenario name (default: the output file's name)." };
        var channel = new Option<string?>("--channel") { Description = "Channel of the scenario, IFO:NAME (default: the data's channel, or IFO:GWOSC-STRAIN); for GWF frame files also the channel read from them." };
        var fLow = new Option<double>("--f-low") { Description = "Lowest frequency measured and coloured (Hz).", DefaultValueFactory = _ => 10 };
        var events = new Option<FileInfo[]>("--events") { Description = "GW event lists (GWOSC's event-list JSON) whose seconds are left out of the trigger count; default: the shipped configs/gw-events.json.", AllowMultipleArgumentsPerToken = true };
        var check = new Option<bool>("--check") { Description = "Simulate the calibrated scenario over the same GPS spans and compare it with the real data by the same measurement: ASD within 10 % (median 20-2000 Hz), >= 90 % of the lines above 5x the floor found again within 0.1 Hz, Rayleigh statistic within 20 % per band, trigger rates above SNR 6 within a factor 2 where there are >= 10 real ones. Writes SCENARIO_check.json beside the scenario; exit 1 when a check fails." };
        var plots = new Option<bool>("--plots") { Description = "Simulate and compare as --check does (the comparison printed and written, a failed one not an error without --check), and draw SCENARIO_asd.png (real and twin ASDs) and SCENARIO_qscan-real.png / SCENARIO_qscan-twin.png (Q-scans of the same second of both: the real data's loudest trigger, else their middle)." };
        var threads = CliOptions.Threads();
        var cmd = new Command("calibrate",
            "Measure real strain and write a scenario that reproduces it: the noise curve (median Welch ASD, lines removed),\n" +
            "the line list (frequency, amplitude, width, wander between segments), non-stationarity per band (band-power\n" +
            "variation -> breathing, Rayleigh statistic), the transient population (Q-transform triggers above SNR 6 turned\n" +
            "into glitch rates of the closest families, an estimate with its 68 % interval), and a calibrated_from record\n" +
            "(files, GPS spans, SHA-256). --check simulates it and compares twin and real data, measured by the same code.\n" +
            "Example: noise calibrate --in ../shared/data/strain/V-V1_GWOSC_16KHZ_R1-1185389792-32.hdf5 --out out/v1.yaml --check --plots")
        { input, output, name, channel, fLow, events, check, plots, threads };
        cmd.SetAction(r => Run(r.GetValue(input)!, r.GetValue(output)!, r.GetValue(name), r.GetValue(channel), r.GetValue(fLow), r.GetValue(events) ?? [], r.GetValue(check), r.GetValue(plots), r.GetValue(threads)));
        return cmd;
    }

    private static int Run(FileInfo[] inputs, FileInfo output, string? nameOpt, string? channelOpt, double fLow, FileInfo[] eventFiles, bool check, bool plots, int? threads)
    {
        if (!(fLow > 0) || !double.IsFinite(fLow)) throw new NoiseInputException($"--f-low must be a positive frequency, got {fLow}");
        if (!output.Name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !output.Name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            throw new NoiseInputException($"--out {output}: a scenario file ends in .yaml");
        var series = inputs.Select(f => StrainReader.Read(f.FullName, channelOpt)).ToList();
        var ifos = series.Select(DetectCommand.DetectorOf).Distinct().ToList();
        if (ifos.Count > 1) throw new NoiseInputException($"calibrate: the files come from several detectors ({string.Join(", ", ifos)}); calibrate one at a time");
        string channel = channelOpt ?? (series[0].Channel.Contains(':', StringComparison.Ordinal) ? series[0].Channel : $"{ifos[0]}:GWOSC-STRAIN");
        if (!ScenarioLoader.IsChannelName(channel)) throw new NoiseInputException($"--channel '{channel}' is not IFO:NAME");
        string name = nameOpt ?? Path.GetFileNameWithoutExtension(output.Name);
        var pieces = series.Select(s => new StrainPiece(s.Source, s.SampleRate, s.GpsStart, s.Data)).ToList();
        double shortest = pieces.Min(p => p.Duration);
        var settings = new MeasurementSettings
        {
            FLow = fLow,
            // at least 7 overlapping segments in the shortest file (a median needs some), 8 s where the files allow
            SegmentSeconds = shortest >= 32 ? 8 : Math.Max(1, Math.Pow(2, Math.Floor(Math.Log2(shortest / 4)))),
            Events = CliOptions.LoadEvents(eventFiles),
        };
        Console.Error.WriteLine($"calibrate: measuring {pieces.Count} file(s), {pieces.Sum(p => p.Duration):F0} s at {pieces[0].SampleRate} Hz ({settings.SegmentSeconds} s segments)");
        var real = StrainMeasurement.Measure(pieces, settings);
        var sources = inputs.Zip(series, (f, s) => new CalibrationSource(f.FullName, s.Channel, s.SampleRate, s.GpsStart, s.Duration, CalibrationSource.Sha256Of(f.FullName))).ToList();
        Directory.CreateDirectory(output.DirectoryName!);
        var (yaml, curve) = Calibrator.Write(output.FullName, name, channel, real, settings, sources, "noise " + Program.Version);
        Console.WriteLine($"wrote {yaml}");
        Console.WriteLine($"wrote {curve}");
        var bands = string.Join(", ", real.Bands.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Lo:F0}-{b.Hi:F0} Hz {b.Rayleigh:F2}/{b.RmsVariation:F2}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{real.Lines.Count} lines above {settings.LineFactor}x the floor; {real.Triggers.Count} Q-transform triggers above SNR {settings.TriggerSnr} in {real.TriggerLiveSeconds:F0} s; bands (Rayleigh / power variation): {bands}"));
        foreach (var r in Calibrator.Rates(real))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Family}: {r.Triggers} trigger(s), {r.RatePerHour:F1} per hour (68 %: {r.Low:F1}-{r.High:F1})"));
        if (!check && !plots) return 0;

        // the twin of the calibrated scenario over the same spans, measured by the same code
        var scenario = ScenarioLoader.Load(yaml);
        var twinPieces = CalibrationCheck.Simulate(scenario, pieces, CliOptions.ResolveThreads(threads));
        var twin = StrainMeasurement.Measure(twinPieces, settings);
        var rows = CalibrationCheck.Compare(real, twin, settings.LineFactor);
        Console.WriteLine($"check: the twin of {Path.GetFileName(yaml)} against the real data, {twinPieces.Sum(p => p.Duration):F0} s each");
        foreach (var row in rows)
            Console.WriteLine($"  {(row.Pass is null ? "n/a " : row.Pass.Value ? "pass" : "FAIL")}  {row.Name}: real {row.Real}, twin {row.Twin} (limit {row.Limit}){(row.Note.Length > 0 ? "; " + row.Note : "")}");
        var stem = Path.Combine(output.DirectoryName!, Path.GetFileNameWithoutExtension(output.Name));
        var report = new JsonObject
        {
            ["scenario"] = Path.GetFileName(yaml),
            ["software"] = "noise " + Program.Version,
            ["checks"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name, ["real"] = r.Real, ["twin"] = r.Twin, ["limit"] = r.Limit, ["pass"] = r.Pass, ["note"] = r.Note,
            }).ToArray()),
            ["passed"] = rows.All(r => r.Pass != false),
        };
        AtomicFile.WriteAllText(stem + "_check.json", report.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        Console.WriteLine($"wrote {stem}_check.json");
        if (plots) foreach (var p in Plots(stem, channel, real, twin, pieces[0], twinPieces[0], settings.FLow)) Console.WriteLine($"wrote {p}");
        if (check && rows.Any(r => r.Pass == false))
        {
            Console.Error.WriteLine($"noise: calibration check failed: {string.Join("; ", rows.Where(r => r.Pass == false).Select(r => r.Name))}");
            return 1;
        }
        return 0;
    }

    private static IEnumerable<string> Plots(string stem, string channel, Measurement real, Measurement twin, StrainPiece realPiece, StrainPiece twinPiece, double fLow)
    {
        var asd = stem + "_asd.png";
        var realCurve = new PsdCurve(Enumerable.Range(1, real.Psd.Length - 1).Select(real.Psd.FrequencyAt).ToArray(), real.Psd.Values[1..].ToArray(), "real");
        AsdPlot.Save(asd, twin.Psd, channel + ": real and calibrated twin", realCurve, fLow, realPiece.SampleRate, "twin (Welch, median)", "real (Welch, median)");
        yield return asd;
        // the same second of both, the real data's loudest trigger if it has one, else its middle
        double at = real.Triggers.Count > 0 ? real.Triggers.MaxBy(t => t.Snr)!.Time : realPiece.GpsStart + realPiece.Duration / 2;
        foreach (var (piece, who) in new[] { (realPiece, "real"), (twinPiece, "twin") })
        {
            var s = new StrainSeries(channel, piece.SampleRate, piece.GpsStart, piece.Data, piece.Name);
            var plane = QScanCommand.Scan(s, at, 4, fMin: Math.Max(10, fLow), fMax: Math.Min(2048, piece.SampleRate / 2 * 0.95));
            var path = $"{stem}_qscan-{who}.png";
            QScanPlot.Save(path, plane, string.Create(CultureInfo.InvariantCulture, $"{who}: {channel}  Q = {plane.Q:g3}"), at);
            yield return path;
        }
    }
}
