using ILGPU;
using ILGPU.Runtime;

namespace Noise.Simulation.Fft;

/// <summary>
/// Batched complex-to-real inverse FFT over accelerator memory, unnormalised. One implementation per
/// accelerator kind (cuFFT on CUDA, <see cref="CpuRealFft"/> on the CPU), chosen at start-up as Math.NET
/// chooses its providers, so the engine never knows which one it runs.
/// </summary>
public interface IInverseFftBackend : IDisposable
{
    /// <summary>Human-readable name, e.g. "cuFFT 12" or "managed radix-2 Stockham (Vector256)".</summary>
    string Name { get; }

    /// <summary>
    /// Transforms <paramref name="count"/> segments starting at <paramref name="firstSlot"/>: bins holds
    /// the N/2+1 interleaved complex bins of each slot at the start of its EngineLayout.BinSlotFloats floats, time receives N floats per slot.
    /// </summary>
    void Inverse(MemoryBuffer1D<float, Stride1D.Dense> bins, MemoryBuffer1D<float, Stride1D.Dense> time, int firstSlot, int count);
}
