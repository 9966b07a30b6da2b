using System.CommandLine;
using Noise.Core;

namespace Noise.Cli.Commands;

/// <summary>Options several verbs share, defined once.</summary>
internal static class CliOptions
{
    public static Option<FileInfo> Config(bool required) => new("--config", "-c")
    {
        Description = "Scenario YAML file (see configs/): channel, sample rate, GPS start, seed, noise curve, f_low, device.",
        Required = required,
    };

    public static Option<int?> Threads() => new("--threads")
    {
        Description = "CPU threads for the CPU backend. Default: SLURM_CPUS_PER_TASK when set (the CPUs Slurm gave), else all cores.",
    };

    /// <summary>--threads, else the CPUs Slurm allotted, else every core.</summary>
    public static int ResolveThreads(int? requested)
    {
        if (requested is { } t)
            return t >= 1 ? t : throw new NoiseInputException($"--threads must be at least 1, got {t}");
        var slurm = Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK");
        if (int.TryParse(slurm, out var s) && s > 0) return s;
        return Environment.ProcessorCount;
    }
}
