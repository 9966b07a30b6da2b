using System.Diagnostics;

namespace Noise.TestSupport;

/// <summary>Runs a program the tests check our output with (Python readers, the CLI, Node): exit code and all it printed.</summary>
internal static class ChildProcess
{
    public static (int Code, string Out) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        // stdout asynchronously while stderr is read: either pipe filling up must not stall the child
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }
}
