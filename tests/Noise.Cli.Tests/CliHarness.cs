using System.Diagnostics;

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

    /// <summary>The one strain file of a format in a run folder (the catalogue is also Parquet).</summary>
    public static string StrainFile(string dir, string ext) =>
        Directory.GetFiles(dir, "*." + ext).Single(f => !Path.GetFileName(f).Contains("_EVENTS-", StringComparison.Ordinal));

    public static string TempDir() => Noise.TestSupport.RepoPaths.TempDir("noise-cli-tests");

    public static (int Code, string Out) Process(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }
}
