using ILGPU;
using ILGPU.Runtime;

namespace Noise.Simulation;

/// <summary>
/// Host memory that device blocks are copied into before the sink sees them. Page-locked where the driver
/// allows (a pageable copy goes through the driver's bounce buffer at a fraction of the bus speed), else a
/// managed array; <see cref="Kind"/> says which, for benchmarks.
/// </summary>
public sealed class HostStaging : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly PageLockedArray1D<float>? _pinned;
    private readonly float[]? _managed;

    /// <summary>False turns page-locked staging off for this process (a benchmark's fallback).</summary>
    public static bool PageLockedAllowed { get; set; } = true;

    public HostStaging(Accelerator accelerator, long length)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        _accelerator = accelerator;
        if (PageLockedAllowed)
        {
            try { _pinned = accelerator.AllocatePageLocked1D<float>(length); }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or AcceleratorException) { _pinned = null; }
        }
        if (_pinned is null) _managed = new float[length];
    }

    public string Kind => _pinned is not null ? "page-locked" : "managed";

    /// <summary>Copies elements [offset, offset + length) of <paramref name="buffer"/> here and returns them.</summary>
    public ReadOnlySpan<float> CopyFrom(MemoryBuffer1D<float, Stride1D.Dense> buffer, long offset, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var source = buffer.View.SubView(offset, length);
        if (_pinned is not null)
        {
            source.CopyTo(_pinned.ArrayView.SubView(0, length));
            _accelerator.Synchronize();
            return _pinned.Span[..length];
        }
        source.CopyToCPU(ref _managed![0], length);
        return _managed.AsSpan(0, length);
    }

    public void Dispose() => _pinned?.Dispose();
}
