using System.CommandLine;
using System.Runtime.InteropServices;
using Noise.Core;
using Noise.Simulation;

namespace Noise.Cli.Commands;

/// <summary>`noise info`: what this machine offers (accelerators, FFT backend) and which versions run.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var threads = CliOptions.Threads();
        var cmd = new Command("info", "Show the accelerators ILGPU finds, the FFT backend 'auto' would use, and versions.\nRun it first on a new machine or inside a container.")
        { threads };
        cmd.SetAction(r => Run(r.GetValue(threads)));
        return cmd;
    }

    private static int Run(int? threadsOpt)
    {
        int threads = CliOptions.ResolveThreads(threadsOpt);
        Console.WriteLine($"noise {Program.Version}");
        Console.WriteLine($"runtime: .NET {Environment.Version} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})");
        Console.WriteLine($"ILGPU: {ComputeDevice.IlgpuVersion}");
        Console.WriteLine($"cpu: {Environment.ProcessorCount} logical cores; threads used: {threads}" +
                          (Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK") is { } s ? $" (SLURM_CPUS_PER_TASK={s})" : ""));
        var cuda = ComputeDevice.ListCudaDevices();
        if (cuda.Count == 0) Console.WriteLine("cuda: no CUDA device found (no NVIDIA driver visible to this process)");
        foreach (var d in cuda) Console.WriteLine($"cuda: {d}");
        using var device = ComputeDevice.Create(DeviceChoice.Auto, threads);
        Console.WriteLine($"device auto -> {device.Description}");
        Console.WriteLine($"fft backend: {device.FftBackendName}");
        return 0;
    }
}
