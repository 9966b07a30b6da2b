using System.Runtime.InteropServices;

namespace Noise.Core;

/// <summary>
/// glibc's heap, where libtorch allocates every tensor. Two settings and one call, no-ops off glibc (other systems,
/// musl): each is looked up at run time and its absence ignored. Bound to glibc's soname, libc.so.6, since
/// "libc.so" is a linker script where it exists at all (with the C headers).
/// </summary>
public static partial class NativeHeap
{
    private const int MTrimThreshold = -1, MMmapThreshold = -3;

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int param, int value);

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    /// <summary>
    /// Keeps freed blocks for reuse instead of handing them back at once: by default glibc serves each block over
    /// 128 kB (a batch's activations are 1-8 MB) with its own mmap and gives it back at free, and trims the heap's
    /// top above 128 kB, so every batch faulted its pages in afresh. On `noise detect` of 1024 s that was 1.1-1.3
    /// million page faults and 2.3-3.4 s of system time (benchmarks/RESULTS.md). Blocks up to glibc's ceiling of
    /// 32 MB now come from the heap, which is trimmed above 1 GB free (or by <see cref="Trim"/>).
    /// </summary>
    /// <returns>Whether glibc took both settings (false off glibc).</returns>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // mallopt returns 1 on success
            return Mallopt(MMmapThreshold, 32 << 20) == 1 & Mallopt(MTrimThreshold, 1 << 30) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>Hands free memory in every arena back to the system (a long-running stream, every minute of data).</summary>
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }
}
