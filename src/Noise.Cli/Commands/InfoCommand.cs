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
        var input = new Option<FileInfo[]>("--in", "-i") { Description = "Frame files (.gwf) to describe instead: each channel's name, kind (FrProcData/FrAdcData), rate, GPS span and unit, checksums verified.", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("info", "Show the accelerators ILGPU finds, the FFT backend 'auto' would use, and versions.\nRun it first on a new machine or inside a container. With --in FILE.gwf, list a frame file's channels.\n" +
            "Example: noise info --in tests/data/frames/HLV-HW100916-968654552-1.gwf")
        { threads, input };
        cmd.SetAction(r => r.GetValue(input) is { Length: > 0 } files ? Frames(files) : Run(r.GetValue(threads)));
        return cmd;
    }

    /// <summary>A frame file's channels, one line each.</summary>
    private static int Frames(FileInfo[] files)
    {
        foreach (var f in files)
        {
            var (channels, detectors) = Noise.IO.Frames.GwfReader.ReadFile(f.FullName);
            Console.WriteLine($"{f.FullName}: {channels.Count} channel{(channels.Count == 1 ? "" : "s")}, checksums verified");
            foreach (var d in detectors)
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"  detector {d.Name} ({d.Prefix}): latitude {d.Latitude * 180 / Math.PI:F4}, longitude {d.Longitude * 180 / Math.PI:F4} deg, elevation {d.Elevation:F1} m, arms at azimuth {d.ArmXAzimuth * 180 / Math.PI:F2} and {d.ArmYAzimuth * 180 / Math.PI:F2} deg"));
            foreach (var c in channels)
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"  {c.Name,-32} {(c.Kind == "adc" ? "FrAdcData" : "FrProcData"),-10} {c.SampleRate,8:g} Hz  GPS {c.GpsStart:F3} - {c.GpsStart + c.Data.Length / c.SampleRate:F3} ({c.Data.Length / c.SampleRate:g} s)  {c.Unit}"));
        }
        return 0;
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
