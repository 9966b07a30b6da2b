using Noise.Core;
using Noise.IO;
using ScottPlot;

namespace Noise.Cli.Commands;

/// <summary>A log-log ASD plot: the measured curve with the target curve over it, as detector people draw it.</summary>
internal static class AsdPlot
{
    public static void Save(string path, FrequencySeries psd, string channel, PsdCurve? target, double fLow, double sampleRate,
        string measuredLabel = "measured (Welch, median)", string? targetLabel = null)
    {
        var plt = new Plot();
        double fMin = Math.Max(fLow > 0 ? fLow * 0.8 : 1, psd.DeltaF);
        var xs = new List<double>();
        var ys = new List<double>();
        for (int k = 1; k < psd.Length; k++)
        {
            double f = psd.FrequencyAt(k);
            if (f < fMin || psd.Values[k] <= 0) continue;
            xs.Add(Math.Log10(f));
            ys.Add(Math.Log10(Math.Sqrt(psd.Values[k])));
        }
        var measured = plt.Add.ScatterLine(xs.ToArray(), ys.ToArray());
        measured.LegendText = measuredLabel;
        measured.LineWidth = 1;
        if (target is not null)
        {
            var tx = new List<double>();
            var ty = new List<double>();
            for (double lf = Math.Log10(fMin); lf < Math.Log10(sampleRate / 2); lf += 0.002)
            {
                double s = target.At(Math.Pow(10, lf));
                if (s <= 0) continue;
                tx.Add(lf);
                ty.Add(0.5 * Math.Log10(s));
            }
            var t = plt.Add.ScatterLine(tx.ToArray(), ty.ToArray());
            t.LegendText = targetLabel ?? "target: " + Path.GetFileName(target.Source);
            t.LineWidth = 2;
            t.LinePattern = LinePattern.Dashed;
        }
        var tickX = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => Math.Pow(10, v).ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
        };
        var tickY = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => $"1e{v:0}",
        };
        plt.Axes.Bottom.TickGenerator = tickX;
        plt.Axes.Left.TickGenerator = tickY;
        plt.Grid.MajorLineColor = Colors.Black.WithOpacity(.15);
        plt.Grid.MinorLineColor = Colors.Black.WithOpacity(.05);
        plt.XLabel("Frequency [Hz]");
        plt.YLabel("ASD [1/√Hz]");
        plt.Title($"{channel} amplitude spectral density");
        plt.ShowLegend(Alignment.UpperRight);
        PlotFiles.SavePng(plt, path, 1000, 650);
    }
}
