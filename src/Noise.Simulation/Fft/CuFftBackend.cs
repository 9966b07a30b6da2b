using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Util;

namespace Noise.Simulation.Fft;

/// <summary>
/// cuFFT through ILGPU.Algorithms: one C2R plan per batch size, bound to the accelerator's stream.
/// cuFFT's C2R is unnormalised, like <see cref="CpuRealFft"/>.
/// </summary>
public sealed class CuFftBackend : IInverseFftBackend
{
    private readonly CudaAccelerator _accelerator;
    private readonly int _n;
    private readonly CuFFT _cufft = new();
    private readonly Dictionary<int, CuFFTPlan> _plans = [];

    public CuFftBackend(CudaAccelerator accelerator, int n)
    {
        _accelerator = accelerator;
        _n = n;
    }

    public string Name => "cuFFT (ILGPU.Algorithms)";

    public void Inverse(MemoryBuffer1D<float, Stride1D.Dense> bins, MemoryBuffer1D<float, Stride1D.Dense> time, int firstSlot, int count)
    {
        if (!_plans.TryGetValue(count, out var plan))
        {
            CuFFTException.ThrowIfFailed(_cufft.Plan1D(out plan, _n, CuFFTType.CUFFT_C2R, count));
            plan!.SetStream((CudaStream)_accelerator.DefaultStream);
            _plans[count] = plan;
        }
        int binLen = _n + 2;
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
