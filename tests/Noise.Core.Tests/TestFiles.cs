namespace Noise.Core.Tests;

/// <summary>Temporary folders for a test, and the repository's configs/ folder.</summary>
internal static class TestFiles
{
    public static string TempDir() => Noise.TestSupport.RepoPaths.TempDir("noise-tests");

    public static string RepoRoot() => Noise.TestSupport.RepoPaths.RepoRoot();

    public static string Config(string name) => Noise.TestSupport.RepoPaths.Config(name);
}
