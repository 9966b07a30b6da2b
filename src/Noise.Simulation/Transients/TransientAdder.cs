using ILGPU;
using ILGPU.Runtime;
using Noise.Simulation.Kernels;

namespace Noise.Simulation.Transients;

/// <summary>
/// Adds the atoms of transient sources to a channel's output block on the accelerator, one launch per run of
/// tiles that share their atoms. Shared by the strain engine and the witness channels.
/// </summary>
/// <param name="samplesOnHost">
/// Whether events the host has rendered are added from the host (the CPU default) or, as on CUDA, by evaluating their
/// atoms on the device and uploading only the sampled waveforms; false on the CPU accelerator tests the CUDA route.
/// </param>
public sealed class TransientAdder(ComputeDevice device, int sampleRate, IReadOnlyList<ITransientSource> sources, bool? samplesOnHost = null) : IDisposable
{
    private Action<Index1D, ArrayView<float>, ArrayView<TransientAtom>, TransientParams>? _kernel;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int>? _addSamples;
    private MemoryBuffer1D<TransientAtom, Stride1D.Dense>? _atoms;
    private MemoryBuffer1D<float, Stride1D.Dense>? _samples;
    private readonly bool _samplesOnHost = samplesOnHost ?? !device.IsCuda;
    private readonly int _launch = (int)Math.Min(device.Accelerator.MaxNumThreads, 1 << 20);

    public bool IsEmpty => sources.Count == 0;

    /// <summary>Tile width in samples; tiles are counted from sample 0, so launches never depend on block size.</summary>
    public const int Tile = 4096;

    /// <summary>Adds every atom overlapping [blockStart, blockStart + length) to output[0..length).</summary>
    /// <param name="stages">Benchmarks only: charges the host-side preparation and counts launches.</param>
    public void Add(ArrayView<float> output, long blockStart, long length, StageTimes? stages = null)
    {
        if (sources.Count == 0) return;
        long blockEnd = blockStart + length;
        var events = sources.SelectMany(s => s.Overlapping(blockStart, blockEnd)).ToList();
        // On the CPU, events the host has already rendered are added as samples (after the atoms' kernel, in
        // the sources' event order, so every sample sums the same terms in the same order whatever the block). On
        // CUDA the atoms are evaluated on the device and only sampled waveforms (no closed form) are uploaded.
        var rendered = events.Where(e => e.Samples is not null && (_samplesOnHost || IsSampled(e))).ToList();
        foreach (var e in events)
            if (e.Samples is null && IsSampled(e))
                throw new InvalidOperationException($"event {e.Event.EventId} is a sampled waveform without its samples");
        var atoms = events.Where(e => !rendered.Contains(e)).SelectMany(e => e.Atoms)
            .Where(a => a.EndSample > blockStart && a.FirstSample < blockEnd)
            .OrderBy(a => a.FirstSample).ToArray();
        LaunchAtoms(output, blockStart, length, atoms, stages);
        if (rendered.Count == 0) return;
        if (!_samplesOnHost)
        {
            UploadRendered(output, blockStart, length, rendered);
            return;
        }
        device.Accelerator.Synchronize();
        stages?.Charge("transients_kernels");
        AddRendered(output, blockStart, length, rendered);
        stages?.Charge("transients_rendered");
    }

    private static bool IsSampled(PlacedEvent e) => e.Atoms.Any(a => a.Shape == (int)AtomShape.Sampled);

    /// <summary>The device route: each event's samples in the block are uploaded and added by one launch, in event order.</summary>
    private void UploadRendered(ArrayView<float> output, long blockStart, long length, List<PlacedEvent> events)
    {
        var slices = new List<(int To, int From, int Count)>();
        var host = new List<float>();
        foreach (var e in events)
        {
            long lo = Math.Max(blockStart, e.FirstSample), hi = Math.Min(blockStart + length, e.EndSample);
            if (hi <= lo) continue;
            slices.Add(((int)(lo - blockStart), host.Count, (int)(hi - lo)));
            host.AddRange(e.Samples.AsSpan((int)(lo - e.FirstSample), (int)(hi - lo)));
        }
        if (slices.Count == 0) return;
        device.Accelerator.Synchronize();   // the previous block's launches may still read the buffer
        if (_samples is null || _samples.Length < host.Count)
        {
            _samples?.Dispose();
            _samples = device.Accelerator.Allocate1D<float>(Math.Max(host.Count, 2 * (_samples?.Length ?? 0)));
        }
        _samples.View.SubView(0, host.Count).CopyFromCPU(host.ToArray());
        _addSamples ??= device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(NoiseKernels.AddSamples);
        foreach (var (to, from, count) in slices) _addSamples(count, output, _samples.View, to, from);
    }

    /// <summary>CPU only: adds each event's rendered samples that fall in the block.</summary>
    private static unsafe void AddRendered(ArrayView<float> output, long blockStart, long length, List<PlacedEvent> events)
    {
        var o = new Span<float>((void*)output.LoadEffectiveAddressAsPtr(), checked((int)length));
        foreach (var e in events)
        {
            long lo = Math.Max(blockStart, e.FirstSample), hi = Math.Min(blockStart + length, e.EndSample);
            if (hi <= lo) continue;
            var dst = o.Slice((int)(lo - blockStart), (int)(hi - lo));
            var src = e.Samples.AsSpan((int)(lo - e.FirstSample), (int)(hi - lo));
            int i = 0;
            for (; i + System.Numerics.Vector<float>.Count <= dst.Length; i += System.Numerics.Vector<float>.Count)
                (new System.Numerics.Vector<float>(dst[i..]) + new System.Numerics.Vector<float>(src[i..])).CopyTo(dst[i..]);
            for (; i < dst.Length; i++) dst[i] += src[i];
        }
    }

    private void LaunchAtoms(ArrayView<float> output, long blockStart, long length, TransientAtom[] atoms, StageTimes? stages)
    {
        long blockEnd = blockStart + length;
        if (atoms.Length == 0) return;
        // Each sample must visit only the atoms that can touch it: a long train of short atoms (scattered-light
        // arches) would otherwise make every sample of the train loop over all of them. So the block is cut into
        // fixed tiles, each launch covers a run of tiles with the same atoms, and its atom list (in FirstSample
        // order, as every sum is) holds only those.
        long tile0 = SampleMath.FloorDiv(blockStart, Tile);
        int tiles = (int)(SampleMath.FloorDiv(blockEnd - 1, Tile) - tile0 + 1);
        var perTile = new List<int>?[tiles];
        for (int k = 0; k < atoms.Length; k++)
        {
            long a0 = SampleMath.FloorDiv(Math.Max(atoms[k].FirstSample, blockStart), Tile) - tile0;
            long a1 = SampleMath.FloorDiv(Math.Min(atoms[k].EndSample, blockEnd) - 1, Tile) - tile0;
            for (long t = a0; t <= a1; t++) (perTile[t] ??= []).Add(k);
        }
        var launches = new List<(long From, long To, int Offset, int Count)>();
        var list = new List<TransientAtom>();
        for (int t = 0; t < tiles; t++)
        {
            var set = perTile[t];
            if (set is null) continue;
            long from = Math.Max(blockStart, (tile0 + t) * Tile) - blockStart;
            long to = Math.Min(blockEnd, (tile0 + t + 1) * Tile) - blockStart;
            var prev = t > 0 ? perTile[t - 1] : null;
            if (prev is not null && launches.Count > 0 && launches[^1].To == from && prev.SequenceEqual(set))
            {
                launches[^1] = launches[^1] with { To = to };
                continue;
            }
            launches.Add((from, to, list.Count, set.Count));
            foreach (var k in set) list.Add(atoms[k]);
        }
        // loaded on first use: runs without transients do not pay for compiling this kernel
        _kernel ??= device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<TransientAtom>, TransientParams>(NoiseKernels.AddTransients);
        if (_atoms is null || _atoms.Length < list.Count)
        {
            device.Accelerator.Synchronize();
            long size = Math.Max(64, Math.Max(list.Count, 2 * (_atoms?.Length ?? 0)));
            _atoms?.Dispose();
            _atoms = device.Accelerator.Allocate1D<TransientAtom>(size);
        }
        else
        {
            device.Accelerator.Synchronize();   // the previous block's launches may still read the atoms
        }
        _atoms.View.SubView(0, list.Count).CopyFromCPU(list.ToArray());
        if (stages is not null)
        {
            device.Accelerator.Synchronize();
            stages.Charge("transients_host");
            stages.Count("transient_launches", launches.Count);
            stages.Count("transient_atoms_listed", list.Count);
        }
        foreach (var (from, to, offset, count) in launches)
        {
            _kernel(_launch, output, _atoms.View, new TransientParams
            {
                BlockFirstSample = blockStart,
                From = (int)from,
                To = (int)to,
                AtomOffset = offset,
                AtomCount = count,
                InvSampleRate = 1f / sampleRate,
                Stride = _launch,
                Contiguous = device.IsCuda ? 0 : 1,
            });
        }
    }

    public void Dispose()
    {
        _atoms?.Dispose();
        _samples?.Dispose();
    }
}
