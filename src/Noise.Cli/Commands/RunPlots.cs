using System.Globalization;
using Noise.Core;
using Noise.IO;

namespace Noise.Cli.Commands;

/// <summary>
/// `noise simulate --plots`: the ASD of the written strain beside the target curve, and Q-scans of the loudest
/// glitches of the catalogue, read back from the written file in one streaming pass (constant memory).
/// </summary>
internal static class RunPlots
{
    private const double AsdSeconds = 512, ScanHalfWidth = 32;

    public static List<string> Write(string strainFile, string dir, Scenario scenario, GpsTime start, long samples, IReadOnlyList<TransientEvent> events)
    {
        int fs = scenario.SampleRate;
        double t0 = start.ToDouble();
        // what to keep: the first AsdSeconds, and +-ScanHalfWidth around the four loudest strain events
        // (witness-channel rows have SNRs in their own channels)
        var loud = events.Where(e => e.Channel == scenario.Channel).OrderByDescending(e => e.Snr).Take(4).ToList();
        var ranges = new List<(long From, long To)> { (0, Math.Min(samples, (long)(AsdSeconds * fs))) };
        foreach (var e in loud)
        {
            long c = (long)((e.PeakTime.ToDouble() - t0) * fs);
            ranges.Add((Math.Max(0, c - (long)(ScanHalfWidth * fs)), Math.Min(samples, c + (long)(ScanHalfWidth * fs))));
        }
        var buffers = ranges.Select(r => new double[r.To - r.From]).ToList();
        long at = 0;
        StrainChunkReader.ReadAll(strainFile, span =>
        {
            for (int k = 0; k < ranges.Count; k++)
            {
                long a = Math.Max(at, ranges[k].From), b = Math.Min(at + span.Length, ranges[k].To);
                for (long i = a; i < b; i++) buffers[k][i - ranges[k].From] = span[(int)(i - at)];
            }
            at += span.Length;
        });

        var written = new List<string>();
        int nper = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Min(4 * fs, buffers[0].Length / 2));
        if (buffers[0].Length >= nper && nper >= 8)
        {
            var psd = Welch.Estimate(buffers[0], fs, nper, WelchAverage.Median);
            var asdPath = Path.Combine(dir, "asd.png");
            AsdPlot.Save(asdPath, psd, scenario.Channel, scenario.LoadPsd(), scenario.FLow, fs);
            written.Add(asdPath);
        }
        for (int k = 0; k < loud.Count; k++)
        {
            var e = loud[k];
            var series = new StrainSeries(scenario.Channel, fs, t0 + ranges[k + 1].From / (double)fs, buffers[k + 1], strainFile);
            double window = Math.Clamp(e.Duration * 3, 1, 8);
            try
            {
                var plane = QScanCommand.Scan(series, e.PeakTime.ToDouble(), window);
                var path = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"qscan-{e.Class}-{e.PeakTime.ToDouble():F3}.png"));
                QScanPlot.Save(path, plane, string.Create(CultureInfo.InvariantCulture, $"{e.Class}, SNR {e.Snr:F1}, Q = {plane.Q:g3}"), e.PeakTime.ToDouble());
                written.Add(path);
            }
            catch (NoiseInputException)
            {
                // too close to the file's edges for a scan: skip it
            }
        }
        return written;
    }
}
