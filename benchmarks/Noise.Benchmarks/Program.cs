using BenchmarkDotNet.Running;

namespace Noise.Benchmarks;

/// <summary>
/// BenchmarkDotNet suites: `dotnet run -c Release -- --filter '*'` (all), `-- gpucheck [SECONDS] [OUTDIR]` on a GPU node (see GpuCheck), or `-- stages` for a quick
/// Stopwatch breakdown of one engine run (no BenchmarkDotNet, a few seconds).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "stages")
        {
            StageTimer.Run(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1024);
            return;
        }
        if (args.Length > 0 && args[0] == "kernels") { KernelTimer.Run(); return; }
        if (args.Length > 0 && args[0] == "fft") { FftTimer.Run(); return; }
        if (args.Length > 0 && args[0] == "components") { GpuCheck.CpuComponents(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1024); return; }
        if (args.Length > 0 && args[0] == "gpucheck") { Environment.Exit(GpuCheck.Run(args)); }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
