
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Noise.Cli.Tests;

/// <summary>Runs `noise` in-process with captured stdout/stderr (tests run one at a time for that).</summary>
internal static class CliHarness
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        var o = new StringWriter();
        var e = new StringWriter();
        Console.SetOut(o);
        Console.SetError(e);
        try
        {
            int code = Program.Main(args);
            return (code, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    public static string RepoRoot() => Noise.TestSupport.RepoPaths.RepoRoot();

    public static string Config(string name) => Noise.TestSupport.RepoPaths.Config(name);

    /// <summary>The file of a run folder listed in run.json with this format (e.g. "hdf5", "state-vector", "witness:V1:ENV_CEB_SEIS_V").</summary>
    public static string OutputFile(string dir, string format)
    {
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run.json")))!;
        var file = manifest["files"]!.AsArray().Single(f => f!["format"]!.GetValue<string>() == format)!;
        return Path.Combine(dir, file["path"]!.GetValue<string>());
    }

    /// <summary>The strain file of a format ("parquet" or "hdf5"); the catalogue, state vector and witnesses are Parquet too.</summary>
    public static string StrainFile(string dir, string ext) => OutputFile(dir, ext);

    /// <summary>
    /// A copy of the O3 scenario where everything happens often (lock losses every few minutes, disturbances
    /// every minute) so short test runs see them; <paramref name="sections"/> replaces lock, witnesses and
    /// disturbances when given.
    /// </summary>
    public static string BusyScenario(string dir, string? sections = null) => BusyScenario(dir, "busy", sections);

    public static string BusyScenario(string dir, string name, string? sections)
    {
        var text = File.ReadAllText(Config("virgo-o3.yaml"));
        text = text[..text.IndexOf("\nlock:", StringComparison.Ordinal)].Replace("file: curves/", "file: " + Config("curves") + "/", StringComparison.Ordinal);
        text += sections ?? BusySections;
        var path = Path.Combine(dir, name + ".yaml");
        File.WriteAllText(path, text);
        return path;
    }

    public const string Witnesses = """

witnesses:
  - { name: V1:ENV_CEB_SEIS_V, kind: seismometer, sample_rate: 128, floor: 2.0e-9 }
  - { name: V1:ENV_CEB_MIC_V, kind: microphone, sample_rate: 1024, floor: 2.0e-3 }
  - { name: V1:ENV_CEB_MAG_N, kind: magnetometer, sample_rate: 1024, floor: 1.0e-12 }

""";

    private const string BusySections = Witnesses + """
lock: { loss_rate_per_hour: 60, relock: [20, 60], earthquake_velocity: 2.0e-6 }
disturbances:
  Earthquake: { rate_per_hour: 10, amplitude: [1.0e-6, 1.0e-5], duration: [30, 60] }
  Truck: { rate_per_hour: 60, amplitude: [3.0e-7, 2.0e-6], duration: [10, 30] }
  Thunder: { rate_per_hour: 30 }
  Magnetic_Pulse: { rate_per_hour: 120 }

""";

    public static string TempDir() => Noise.TestSupport.RepoPaths.TempDir("noise-cli-tests");

    public static (int Code, string Out) Process(string file, params string[] args) => Noise.TestSupport.ChildProcess.Run(file, args);
}
