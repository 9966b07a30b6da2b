using System.CommandLine;
using System.Globalization;
using Noise.Core;
using Noise.Detection;
using Noise.IO;

namespace Noise.Cli.Commands;

/// <summary>`noise qscan`: a Q-transform around a time, as an image and a one-line summary of its loudest tile.</summary>
internal static class QScanCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--in", "-i") { Description = "Strain file: our .parquet/.hdf5, a GWOSC .hdf5 or GWOSC ASCII .txt.", Required = true };
        var gps = new Option<double>("--gps") { Description = "GPS time to centre the scan on (e.g. a catalogue's `time`).", Required = true };
        var window = new Option<double>("--window", "-w") { Description = "Seconds shown around --gps.", DefaultValueFactory = _ => 2.0 };
        var plot = new Option<FileInfo?>("--plot") { Description = "Write the Q-transform image (PNG)." };
        var qrange = new Option<string>("--qrange") { Description = "Q range MIN,MAX searched in octaves; the plane with the loudest tile is shown.", DefaultValueFactory = _ => "4,64" };
        var frange = new Option<string>("--frange") { Description = "Frequency range MIN,MAX in Hz.", DefaultValueFactory = _ => "10,2048" };
        var channel = CliOptions.FrameChannel();
        var cmd = new Command("qscan",
            "Q-transform (Omicron / Gravity Spy style) of a strain file around a time: data whitened with a median Welch\n" +
            "PSD of the surrounding minute, bisquare tiles over Q and log frequency, normalised energy (1 = Gaussian noise).\n" +
            "Example: noise qscan --in out/V-V1_NOISE_VIRGO_O3-1238166018-4096.hdf5 --gps 1238166093.26 --plot blip.png")
        { input, gps, window, plot, qrange, frange, channel };
        cmd.SetAction(r => Run(r.GetValue(input)!, r.GetValue(gps), r.GetValue(window), r.GetValue(plot), r.GetValue(qrange)!, r.GetValue(frange)!, r.GetValue(channel)));
        return cmd;
    }

    private static (double, double) Pair(string text, string flag)
    {
        var p = text.Split(',');
        if (p.Length != 2 || !double.TryParse(p[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            || !double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b) || !(a > 0) || !(b > a))
            throw new NoiseInputException($"{flag}: '{text}' is not MIN,MAX with 0 < MIN < MAX");
        return (a, b);
    }

    private static int Run(FileInfo input, double gps, double window, FileInfo? plot, string qText, string fText, string? channel)
    {
        var (qMin, qMax) = Pair(qText, "--qrange");
        var (fMin, fMax) = Pair(fText, "--frange");
        if (!(window > 0)) throw new NoiseInputException($"--window must be positive, got {window}");
        var series = StrainReader.Read(input.FullName, channel);
        var plane = Scan(series, gps, window, qMin, qMax, fMin, Math.Min(fMax, series.SampleRate / 2 * 0.95));
        var (e, t, f) = plane.Peak();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"qscan {series.Channel} at GPS {gps:F4}: loudest tile normalised energy {e:F1} (SNR ~ {Math.Sqrt(Math.Max(0, 2 * (e - 1))):F1}) at GPS {t:F4}, {f:F1} Hz, Q = {plane.Q:g3}"));
        if (plot is not null)
        {
            QScanPlot.Save(plot.FullName, plane, string.Create(CultureInfo.InvariantCulture, $"{series.Channel}  Q = {plane.Q:g3}"), gps);
            Console.WriteLine($"wrote {plot.FullName}");
        }
        return 0;
    }

    /// <summary>Scans up to 32 s either side of the time (what the file has), for a PSD estimate and clean edges.</summary>
    public static QPlane Scan(StrainSeries series, double gps, double window, double qMin = 4, double qMax = 64, double fMin = 10, double fMax = 2048)
    {
        ArgumentNullException.ThrowIfNull(series);
        double end = series.GpsStart + series.Duration;
        if (gps - window / 2 < series.GpsStart || gps + window / 2 > end)
            throw new NoiseInputException(string.Create(CultureInfo.InvariantCulture, $"GPS {gps} +- {window / 2} s is outside the file's {series.GpsStart} .. {end}"));
        double a = Math.Max(series.GpsStart, gps - 32), b = Math.Min(end, gps + 32);
        int i0 = (int)((a - series.GpsStart) * series.SampleRate), i1 = (int)((b - series.GpsStart) * series.SampleRate);
        var window_ = new StrainWindow(series.Data[i0..i1], series.SampleRate, series.GpsStart + i0 / series.SampleRate);
        return QTransform.Scan(window_, gps, window, qMin, qMax, fMin, Math.Min(fMax, series.SampleRate / 2 * 0.95));
    }
}
