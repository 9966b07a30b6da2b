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

    /// <summary>A new empty folder under the system temp folder, grouped by the test project's area.</summary>
    public static string TempDir(string area)
    {
        var d = Path.Combine(Path.GetTempPath(), area, Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        return d;
    }
}
