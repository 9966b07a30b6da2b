namespace Noise.Core;

/// <summary>
/// Writes a file under a temporary name in the target folder and renames it into place only when complete, so a
/// killed or failed run never leaves a half-written file under its final name.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private const string Marker = ".partial-";
    private bool _committed;

    public AtomicFile(string finalPath)
    {
        FinalPath = Path.GetFullPath(finalPath);
        var dir = Path.GetDirectoryName(FinalPath)!;
        Directory.CreateDirectory(dir);
        TempPath = Path.Combine(dir, "." + Path.GetFileName(FinalPath) + Marker + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
    }

    public string FinalPath { get; }
    public string TempPath { get; }

    /// <summary>Moves the finished temporary file to its final name (replacing an older one).</summary>
    public void Commit()
    {
        File.Move(TempPath, FinalPath, overwrite: true);
        _committed = true;
    }

    /// <summary>Removes the temporary file unless it was committed.</summary>
    public void Dispose()
    {
        if (!_committed && File.Exists(TempPath))
        {
            try { File.Delete(TempPath); }
            catch (IOException) { /* best effort; the name marks it as partial */ }
        }
    }

    /// <summary>Deletes partial files that killed runs left in <paramref name="directory"/>.</summary>
    public static int CleanStale(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        int n = 0;
        foreach (var f in Directory.EnumerateFiles(directory, "*" + Marker + "*"))
        {
            var name = Path.GetFileName(f);
            if (!name.StartsWith('.')) continue;
            var pidText = name[(name.LastIndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Split('-')[0];
            if (int.TryParse(pidText, out var pid) && pid != Environment.ProcessId && IsAlive(pid)) continue;
            try { File.Delete(f); n++; } catch (IOException) { }
        }
        return n;
    }

    private static bool IsAlive(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>Has <paramref name="writeTemp"/> write the file at the temporary path it is given, then commits it.</summary>
    public static void Write(string path, Action<string> writeTemp)
    {
        ArgumentNullException.ThrowIfNull(writeTemp);
        using var f = new AtomicFile(path);
        writeTemp(f.TempPath);
        f.Commit();
    }

    /// <summary>Writes all of <paramref name="text"/> atomically.</summary>
    public static void WriteAllText(string path, string text) => Write(path, p => File.WriteAllText(p, text));
}
