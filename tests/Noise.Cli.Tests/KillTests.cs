using System.Diagnostics;

namespace Noise.Cli.Tests;

/// <summary>A run killed mid-way leaves nothing under a final name, and a rerun completes normally.</summary>
public class KillTests
{
    [Fact]
    public void KilledRunLeavesNoFinalFilesAndARerunSucceeds()
    {
        var dir = CliHarness.TempDir();
        var dll = Path.Combine(AppContext.BaseDirectory, "noise.dll");
        Assert.True(File.Exists(dll), dll);
        string[] args = [dll, "simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", "8192", "--out", dir, "--format", "both"];
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            // wait until it is writing (a partial file exists), then kill it hard
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(60) && Directory.GetFiles(dir, ".*partial*").Length == 0) Thread.Sleep(20);
            Assert.NotEmpty(Directory.GetFiles(dir, ".*partial*"));
            Thread.Sleep(300);
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        var visible = Directory.GetFiles(dir).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).ToList();
        Assert.Empty(visible);   // no .parquet, .hdf5 or run.json under a final name

        var (code, _, err) = CliHarness.Run("simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", "16", "--out", dir, "--format", "both");
        Assert.True(code == 0, err);
        Assert.Empty(Directory.GetFiles(dir, ".*partial*"));   // the leftovers of the killed run were cleaned
        Assert.True(File.Exists(Path.Combine(dir, "run.json")));
        Assert.Equal(2, Directory.GetFiles(dir, "V-V1_NOISE_VIRGO_O3-*").Length);   // parquet and hdf5 strain
    }
}
