using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Util;

namespace Noise.Simulation.Fft;

/// <summary>
/// cuFFT through ILGPU.Algorithms: one C2R plan (PlanMany, padded input distance) per batch size, bound to the accelerator's stream.
/// cuFFT's C2R is unnormalised, like <see cref="CpuRealFft"/>.
/// </summary>
public sealed class CuFftBackend : IInverseFftBackend
{
    private readonly CudaAccelerator _accelerator;
    private readonly int _n;
    private readonly int _binSlot;
    private readonly CuFFT _cufft = new();
    private readonly Dictionary<int, CuFFTPlan> _plans = [];

    public CuFftBackend(CudaAccelerator accelerator, int n, int binSlotFloats)
    {
        _accelerator = accelerator;
        _n = n;
        _binSlot = binSlotFloats;
    }

    public string Name => "cuFFT (ILGPU.Algorithms)";

    public void Inverse(MemoryBuffer1D<float, Stride1D.Dense> bins, MemoryBuffer1D<float, Stride1D.Dense> time, int firstSlot, int count)
    {
        if (!_plans.TryGetValue(count, out var plan))
        {
            // advanced layout: input segments are binSlot/2 complex apart (padded), outputs N reals apart
            int idist = _binSlot / 2;
            CuFFTException.ThrowIfFailed(_cufft.PlanMany(out plan, 1, [_n], [idist], 1, idist, [_n], 1, _n, CuFFTType.CUFFT_C2R, count));
            plan!.SetStream((CudaStream)_accelerator.DefaultStream);
            _plans[count] = plan;
        }
        int binLen = _binSlot;
        var input = bins.View.AsContiguous().SubView((long)firstSlot * binLen, (long)count * binLen).Cast<Float2>();
        var output = time.View.AsContiguous().SubView((long)firstSlot * _n, (long)count * _n);
        CuFFTException.ThrowIfFailed(plan.ExecC2R(input, output));
    }

    public void Dispose()
    {
        foreach (var p in _plans.Values) p.Dispose();
        _plans.Clear();
    }
}
