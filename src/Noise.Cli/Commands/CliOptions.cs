using System.CommandLine;
using Noise.Core;

namespace Noise.Cli.Commands;

/// <summary>Options several verbs share, defined once.</summary>
internal static class CliOptions
{
    public static Option<FileInfo> Config(bool required) => new("--config", "-c")
    {
        Description = "Scenario YAML file, or the bare name of a shipped one (virgo-o3.yaml or virgo-o3, virgo-design, virgo-o4, einstein-telescope): channel, sample rate, GPS start, seed, noise curve, f_low, device.",
        Required = required,
    };

    /// <summary>--channel for the verbs that read strain files: the channel read from a GWF frame file that holds several.</summary>
    public static Option<string?> FrameChannel() => new("--channel")
    {
        Description = "For GWF frame files (.gwf) that hold several channels: the one to read, e.g. V1:Hrec_hoft_16384Hz (noise info --in FILE.gwf lists them). Other formats hold one strain series.",
    };

    /// <summary>--no-cbc-check for the verbs that run the detector: the model's glitch calls without the compact-binary consistency test.</summary>
    public static Option<bool> NoCbcCheck() => new("--no-cbc-check")
    {
        Description = "Report the model's glitch calls without the compact-binary consistency test (by default a run of glitch windows that an IMRPhenomA template fits, SNR >= 6 with a chi-square a merger would give, is a binary merger, not a glitch; docs/detector.md#the-compact-binary-check).",
    };

    public static Option<int?> Threads() => new("--threads")
    {
        Description = "CPU threads for the CPU backend. Default: SLURM_CPUS_PER_TASK when set (the CPUs Slurm gave), else all cores.",
    };

    /// <summary>
    /// The scenario file: the path as given, else (for a bare name such as virgo-o3.yaml, or virgo-o3) the folder in
    /// NOISE_CONFIGS, else the configs/ folder shipped beside the binary (containers, published builds).
    /// </summary>
    public static FileInfo ResolveConfig(FileInfo given)
    {
        ArgumentNullException.ThrowIfNull(given);
        if (given.Exists) return given;
        if (given.ToString().Contains('/', StringComparison.Ordinal)) return given;   // a path: taken as it is
        var name = Path.GetFileName(given.FullName);
        string[] names = Path.HasExtension(name) ? [name] : [name, name + ".yaml"];
        foreach (var dir in new[] { Environment.GetEnvironmentVariable("NOISE_CONFIGS"), Path.Combine(AppContext.BaseDirectory, "configs") })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            foreach (var n in names)
                if (new FileInfo(Path.Combine(dir, n)) is { Exists: true } candidate) return candidate;
        }
        return given;
    }

    /// <summary>--threads, else the CPUs Slurm allotted, else every core.</summary>
    public static int ResolveThreads(int? requested)
    {
        if (requested is { } t)
            return t >= 1 ? t : throw new NoiseInputException($"--threads must be at least 1, got {t}");
        var slurm = Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK");
        if (int.TryParse(slurm, out var s) && s > 0) return s;
        return Environment.ProcessorCount;
    }

    /// <summary>GW events from the lists given (--events), else the shipped configs/gw-events.json (GWTC-1's mergers).</summary>
    public static List<GwEvent> LoadEvents(FileInfo[] given)
    {
        ArgumentNullException.ThrowIfNull(given);
        if (given.Length > 0) return GwEvents.LoadAll(given.Select(f => f.FullName));
        var shipped = ResolveConfig(new FileInfo(GwEvents.ShippedFile));
        if (!shipped.Exists) throw new NoiseInputException($"the shipped event list {GwEvents.ShippedFile} was not found beside the scenarios; give --events FILE");
        return GwEvents.LoadAll([shipped.FullName]);
    }
}
