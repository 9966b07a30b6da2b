namespace Noise.Core.Tests;

/// <summary>Temporary folders for a test, and the repository's configs/ folder.</summary>
internal static class TestFiles
{
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "noise-tests", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        return d;
    }

    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Noise.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new DirectoryNotFoundException("Noise.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Config(string name) => Path.Combine(RepoRoot(), "configs", name);
}
