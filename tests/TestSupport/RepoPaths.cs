namespace Noise.TestSupport;

/// <summary>
/// Where tests find the repository (configs/, tests/tools) and put their scratch files. One copy, linked into
/// every test project by Directory.Build.props.
/// </summary>
internal static class RepoPaths
{
    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Noise.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new DirectoryNotFoundException("Noise.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Config(string name) => Path.Combine(RepoRoot(), "configs", name);

    /// <summary>
    /// This test process's scratch root, removed when the process exits: a full run writes about 1 GB of strain
    /// and model files, and leaving them behind filled the CI machine's disk before the containers proof.
    /// Set NOISE_KEEP_TEST_FILES=1 to keep them for a post-mortem.
    /// </summary>
    private static readonly Lazy<string> s_root = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), $"noise-test-run-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(root);
        if (Environment.GetEnvironmentVariable("NOISE_KEEP_TEST_FILES") != "1")
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try { Directory.Delete(root, recursive: true); }
                catch (IOException) { } // a file still held open: the run's TMPDIR (tests/run.sh) goes anyway
                catch (UnauthorizedAccessException) { }
            };
        return root;
    });

    /// <summary>A new empty folder under this process's scratch root, grouped by the test project's area.</summary>
    public static string TempDir(string area)
    {
        var d = Path.Combine(s_root.Value, area, Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        return d;
    }
}
