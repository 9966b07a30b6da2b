using System.Runtime.InteropServices;
using Noise.Core;

namespace Noise.Core.Tests;

public partial class NativeHeapTests
{
    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int param, int value);

    /// <summary>Minor page faults of the calling thread so far (field 10 of /proc/thread-self/stat).</summary>
    private static long ThreadMinorFaults()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        // the command name (field 2) is in parentheses and may hold spaces: count the fields after its closing one
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Page faults over cycles of a batch-like pattern: many blocks of a few MB live at once, then all freed.</summary>
    private static unsafe long FaultsOverCycles()
    {
        const int bytes = 4 << 20, live = 24, cycles = 5;
        var blocks = new byte*[live];
        void Cycle()
        {
            for (int k = 0; k < live; k++)
            {
                blocks[k] = (byte*)NativeMemory.Alloc(bytes);
                for (int i = 0; i < bytes; i += 4096) blocks[k][i] = 1;
            }
            for (int k = 0; k < live; k++) NativeMemory.Free(blocks[k]);
        }
        Cycle();   // the first cycle may grow the heap; the others can reuse what it freed
        long before = ThreadMinorFaults();
        for (int c = 0; c < cycles; c++) Cycle();
        return ThreadMinorFaults() - before;
    }

    [Fact]
    public void FreedBlocksOfABatchesSizeAreReusedRatherThanFaultedInAgain()
    {
        if (!OperatingSystem.IsLinux()) return;
        // glibc's own defaults (mmap above 128 kB, trim above 128 kB), whatever this process adapted them to
        Assert.Equal(1, Mallopt(-3, 128 << 10));
        Assert.Equal(1, Mallopt(-1, 128 << 10));
        long withDefaults = FaultsOverCycles();
        Assert.True(NativeHeap.KeepFreedMemory(), "glibc refused the mmap or trim threshold");
        long kept = FaultsOverCycles();
        // measured: 122746 against 46085 (24 x 4 MB, 5 cycles; blocks past one 64 MB arena heap still come and go)
        Assert.True(kept < withDefaults / 2, $"{kept} page faults with freed memory kept, {withDefaults} with glibc's defaults");
    }
}
