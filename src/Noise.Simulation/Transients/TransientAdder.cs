using ILGPU;
using ILGPU.Runtime;
using Noise.Simulation.Kernels;

namespace Noise.Simulation.Transients;

/// <summary>
/// Adds the atoms of transient sources to a channel's output block on the accelerator: atoms are grouped into
/// clusters of overlapping supports and each cluster is one launch over its own span, so a sample only visits
/// the atoms that can touch it. Shared by the strain engine and the witness channels.
/// </summary>
public sealed class TransientAdder(ComputeDevice device, int sampleRate, IReadOnlyList<ITransientSource> sources) : IDisposable
{
    private Action<Index1D, ArrayView<float>, ArrayView<TransientAtom>, TransientParams>? _kernel;
    private MemoryBuffer1D<TransientAtom, Stride1D.Dense>? _atoms;
    private readonly int _launch = (int)Math.Min(device.Accelerator.MaxNumThreads, 1 << 20);

    public bool IsEmpty => sources.Count == 0;

    /// <summary>Adds every atom overlapping [blockStart, blockStart + length) to output[0..length).</summary>
    public void Add(ArrayView<float> output, long blockStart, long length)
    {
        if (sources.Count == 0) return;
        var atoms = sources.SelectMany(s => s.Overlapping(blockStart, blockStart + length)).SelectMany(e => e.Atoms)
            .Where(a => a.EndSample > blockStart && a.FirstSample < blockStart + length)
            .OrderBy(a => a.FirstSample).ToArray();
        if (atoms.Length == 0) return;
        // loaded on first use: runs without transients do not pay for compiling this kernel
        _kernel ??= device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<TransientAtom>, TransientParams>(NoiseKernels.AddTransients);
        if (_atoms is null || _atoms.Length < atoms.Length)
        {
            device.Accelerator.Synchronize();
            long size = Math.Max(64, Math.Max(atoms.Length, 2 * (_atoms?.Length ?? 0)));
            _atoms?.Dispose();
            _atoms = device.Accelerator.Allocate1D<TransientAtom>(size);
        }
        _atoms.View.SubView(0, atoms.Length).CopyFromCPU(atoms);
        int first = 0;
        long clusterEnd = atoms[0].EndSample;
        for (int i = 1; i <= atoms.Length; i++)
        {
            if (i < atoms.Length && atoms[i].FirstSample < clusterEnd)
            {
                clusterEnd = Math.Max(clusterEnd, atoms[i].EndSample);
                continue;
            }
            long lo = Math.Max(0, atoms[first].FirstSample - blockStart);
            long hi = Math.Min(length, clusterEnd - blockStart);
            _kernel(_launch, output, _atoms.View, new TransientParams
            {
                BlockFirstSample = blockStart,
                From = (int)lo,
                To = (int)hi,
                AtomOffset = first,
                AtomCount = i - first,
                InvSampleRate = 1f / sampleRate,
                Stride = _launch,
                Contiguous = device.IsCuda ? 0 : 1,
            });
            if (i < atoms.Length) { first = i; clusterEnd = atoms[i].EndSample; }
        }
    }

    public void Dispose() => _atoms?.Dispose();
}
