using Noise.Core;

namespace Noise.IO.Tests;

internal static class IoTestSupport
{
    public static string TempDir() => Noise.TestSupport.RepoPaths.TempDir("noise-io-tests");

    public static string RepoRoot() => Noise.TestSupport.RepoPaths.RepoRoot();

    /// <summary>../shared/data beside the checkout (reference GWOSC files), or null where it is absent.</summary>
    public static string? SharedData()
    {
        var d = Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "data"));
        return Directory.Exists(d) ? d : null;
    }

    public static StrainMetadata Meta(long samples, int rate = 4096) => new()
    {
        Channel = "V1:Hrec_hoft_16384Hz",
        SampleRate = rate,
        GpsStart = new GpsTime(1238166018, 0),
        Samples = samples,
        Seed = 42,
        ScenarioName = "test",
        ScenarioHash = "abc123",
        SoftwareVersion = "0.0.0-test",
    };

    public static float[] Ramp(int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)Math.Sin(i * 0.01) * 1e-21f;
        return x;
    }

    /// <summary>Debian's interpreter, which has python3-h5py/numpy/scipy (installed by .ci/run).</summary>
    public static (int Code, string Out) Python(string script, params string[] args) =>
        Noise.TestSupport.ChildProcess.Run("/usr/bin/python3", ["-c", script, .. args]);
}
