using System.CommandLine;
using System.Globalization;
using System.Text;
using Noise.Core;
using Noise.IO;

namespace Noise.Cli.Commands;

/// <summary>`noise psd`: the Welch ASD of a strain file, beside the scenario's target curve.</summary>
internal static class PsdCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--in", "-i") { Description = "Strain file: our .parquet/.hdf5, a GWOSC .hdf5 or a GWOSC ASCII .txt.", Required = true };
        var config = CliOptions.Config(required: false);
        config.Description = "Scenario whose noise curve is the target; adds ratio columns and a fidelity summary over 20-2000 Hz.";
        var plot = new Option<FileInfo?>("--plot") { Description = "Write a log-log PNG of the measured ASD (and the target)." };
        var csv = new Option<FileInfo?>("--csv") { Description = "Write every frequency bin as CSV: frequency, asd, target_asd, ratio." };
        var seg = new Option<double>("--segment") { Description = "Welch segment length in seconds (Hann window, 50 % overlap, median average).", DefaultValueFactory = _ => 4.0 };
        var channel = CliOptions.FrameChannel();
        var cmd = new Command("psd",
            "Estimate the amplitude spectral density of a strain file with Welch's method (median average, as gwpy and\n" +
            "PyCBC do) and compare it with a scenario's noise curve.\n" +
            "Example: noise psd --in out/V-V1_NOISE_VIRGO_O3-1238166018-64.hdf5 --config configs/virgo-o3.yaml --plot asd.png")
        { input, config, plot, csv, seg, channel };
        cmd.SetAction(r => Run(r.GetValue(input)!, r.GetValue(config), r.GetValue(plot), r.GetValue(csv), r.GetValue(seg), r.GetValue(channel)));
        return cmd;
    }

    private static int Run(FileInfo input, FileInfo? configFile, FileInfo? plot, FileInfo? csv, double segmentSeconds, string? channel)
    {
        var series = StrainReader.Read(input.FullName, channel);
        int nper = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, segmentSeconds * series.SampleRate));
        if (series.Data.Length < nper)
            throw new NoiseInputException($"{input.FullName}: {series.Duration:g4} s of data is shorter than one {nper / series.SampleRate:g4} s Welch segment; lower --segment");
        var est = Welch.Estimate(series.Data, series.SampleRate, nper, WelchAverage.Median);
        var asd = est.Values.Select(Math.Sqrt).ToArray();
        PsdCurve? target = null;
        Scenario? scenario = null;
        if (configFile is not null)
        {
            scenario = ScenarioLoader.Load(CliOptions.ResolveConfig(configFile).FullName);
            target = scenario.LoadPsd();
        }

        Console.WriteLine($"# {series.Channel} from {series.Source}: {series.Duration:g6} s at {series.SampleRate} Hz, GPS {series.GpsStart}");
        Console.WriteLine($"# Welch: {nper} samples ({nper / series.SampleRate:g4} s) Hann, 50% overlap, median; df = {est.DeltaF:g4} Hz");
        Console.WriteLine(target is null ? "frequency_hz  asd_per_rthz" : "frequency_hz  asd_per_rthz  target_asd  ratio");
        foreach (var f in new[] { 10.0, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000, 1500, 2000, 3000, 5000 })
        {
            int k = (int)Math.Round(f / est.DeltaF);
            if (k >= est.Length || f >= series.SampleRate / 2) continue;
            var line = string.Create(CultureInfo.InvariantCulture, $"{est.FrequencyAt(k),12:F2}  {asd[k],12:E3}");
            if (target is not null)
            {
                double t = Math.Sqrt(target.At(est.FrequencyAt(k)));
                line += string.Create(CultureInfo.InvariantCulture, $"  {t,10:E3}  {asd[k] / t,5:F3}");
            }
            Console.WriteLine(line);
        }
        if (target is not null && scenario is not null)
        {
            var dev = new List<double>();
            for (int k = 0; k < est.Length; k++)
            {
                double f = est.FrequencyAt(k);
                if (f < Math.Max(20, scenario.FLow) || f > Math.Min(2000, series.SampleRate / 2)) continue;
                dev.Add(Math.Abs(asd[k] / Math.Sqrt(target.At(f)) - 1));
            }
            dev.Sort();
            if (dev.Count > 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"fidelity 20-2000 Hz: median |ASD/target - 1| = {100 * dev[dev.Count / 2]:F2} %, 95th percentile = {100 * dev[(int)(0.95 * (dev.Count - 1))]:F2} % over {dev.Count} bins"));
        }
        if (csv is not null)
        {
            var sb = new StringBuilder(target is null ? "frequency,asd\n" : "frequency,asd,target_asd,ratio\n");
            for (int k = 1; k < est.Length; k++)
            {
                double f = est.FrequencyAt(k);
                sb.Append(string.Create(CultureInfo.InvariantCulture, $"{f},{asd[k]:R}"));
                if (target is not null) { double t = Math.Sqrt(target.At(f)); sb.Append(string.Create(CultureInfo.InvariantCulture, $",{t:R},{(t > 0 ? asd[k] / t : double.NaN):R}")); }
                sb.Append('\n');
            }
            AtomicFile.WriteAllText(csv.FullName, sb.ToString());
            Console.WriteLine($"wrote {csv.FullName}");
        }
        if (plot is not null)
        {
            AsdPlot.Save(plot.FullName, est, series.Channel, target, scenario?.FLow ?? 0, series.SampleRate);
            Console.WriteLine($"wrote {plot.FullName}");
        }
        return 0;
    }
}
