using Noise.Core;
using ILGPU;
using ILGPU.Runtime;

namespace Noise.Simulation.Fft;

/// <summary>
/// Runs <see cref="RealFft{T}"/> (float32) over the CPU accelerator's buffers in place (their NativePtr is host memory), one
/// segment per task, on at most <c>threads</c> threads. Each segment's result depends only on its bins.
/// </summary>
public sealed unsafe class CpuFftBackend : IInverseFftBackend
{
    private readonly int _n;
    private readonly int _binSlot;
    private readonly ParallelOptions _parallel;
    private readonly ThreadLocal<RealFft<float>> _fft;

    public CpuFftBackend(int n, int binSlotFloats, int threads)
    {
        _n = n;
        _binSlot = binSlotFloats;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        _fft = new ThreadLocal<RealFft<float>>(() => new RealFft<float>(n));
    }

    public string Name => "managed real FFT (radix-2 Stockham, Vector256)";

    public void Inverse(MemoryBuffer1D<float, Stride1D.Dense> bins, MemoryBuffer1D<float, Stride1D.Dense> time, int firstSlot, int count)
    {
        int binLen = _binSlot;
        float* binPtr = (float*)bins.NativePtr;
        float* timePtr = (float*)time.NativePtr;
        int n = _n;
        Parallel.For(firstSlot, firstSlot + count, _parallel, slot =>
        {
            var src = new ReadOnlySpan<float>(binPtr + (long)slot * binLen, binLen);
            var dst = new Span<float>(timePtr + (long)slot * n, n);
            _fft.Value!.Inverse(src, dst);
        });
    }

    public void Dispose() => _fft.Dispose();
}
