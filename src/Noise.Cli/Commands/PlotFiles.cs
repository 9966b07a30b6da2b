using Noise.Core;
using Noise.IO;
using ScottPlot;

namespace Noise.Cli.Commands;

/// <summary>Saves plots like every other output: under a temporary name, renamed when complete.</summary>
internal static class PlotFiles
{
    public static void SavePng(Plot plot, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        var file = new AtomicFile(path);
        var png = file.TempPath + ".png";   // ScottPlot picks the format from the extension
        try
        {
            plot.SavePng(png, width, height);
            File.Move(png, file.TempPath);
            file.Commit();
        }
        finally
        {
            if (File.Exists(png)) File.Delete(png);
            file.Dispose();
        }
    }
}
