using Noise.Detection;
using Noise.IO;
using ScottPlot;

namespace Noise.Cli.Commands;

/// <summary>A Q-transform image as Gravity Spy and Omicron users read it: time on x, log frequency on y, energy 0-25.5.</summary>
internal static class QScanPlot
{
    public static void Save(string path, QPlane plane, string title, double gpsCentre)
    {
        int rows = plane.Frequencies.Length, cols = plane.Times.Length;
        var data = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                data[rows - 1 - r, c] = Math.Min(25.5, plane.Energy[r, c]);   // heatmap row 0 is drawn at the top
        var plt = new Plot();
        var hm = plt.Add.Heatmap(data);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        double t0 = plane.Times[0] - gpsCentre, t1 = plane.Times[^1] - gpsCentre;
        double l0 = Math.Log10(plane.Frequencies[0]), l1 = Math.Log10(plane.Frequencies[^1]);
        hm.Extent = new CoordinateRect(t0, t1, l0, l1);
        var cb = plt.Add.ColorBar(hm);
        cb.Label = "normalised energy";
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => Math.Pow(10, v).ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
        };
        plt.Axes.SetLimits(t0, t1, l0, l1);
        plt.XLabel($"Time [s] from GPS {gpsCentre:F3}");
        plt.YLabel("Frequency [Hz]");
        plt.Title(title);
        PlotFiles.SavePng(plt, path, 900, 600);
    }
}
