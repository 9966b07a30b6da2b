using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using Noise.Core;
using Noise.Simulation.Environment;
using Noise.Simulation.Fft;
using Noise.Simulation.Kernels;
using Noise.Simulation.Transients;

namespace Noise.Simulation;

/// <summary>
/// Continuous coloured Gaussian noise for one channel, of any length, in constant memory.
/// Sample i (counted from GPS 0) is a pure function of (seed, channel, i): segments are drawn from Philox keyed
/// by the seed with the segment index and channel in the counter, coloured by the scenario's PSD in the
/// frequency domain (PyCBC's noise_from_psd / LAL's SimNoise), inverse-FFT'd and cross-faded into the stream
/// (see <see cref="EngineLayout"/>). So any block size, thread count, shard split or start time gives the same
/// bits for the same GPS range on one backend, and the CPU and CUDA backends draw the same random numbers.
/// </summary>
public sealed class NoiseEngine : IDisposable
{
    private readonly ComputeDevice _device;
    private readonly IInverseFftBackend _fft;
    private readonly int _blockSegments;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _amplitude;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _fade;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _bins;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _time;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _output;
    private readonly HostStaging? _hostOutput;
    /// <summary>Compiled on first use: on the native CPU path (<see cref="NativeCpu"/>) the kernel is never needed.</summary>
    private Action<Index1D, ArrayView<BinQuad>, ArrayView<AmpPair>, ArrayView<float>, BinParams>? _binsKernel;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _gains;
    private readonly float[] _hostGains;
    private readonly (int Lo, int Hi)[] _bandBins;
    private readonly double[] _bandPhase;
    /// <summary>Compiled on first use, as the bins kernel: the native CPU path never needs them.</summary>
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, CrossfadeParams>? _fadeKernel;
    private Action<Index1D, ArrayView<float>, int, int, int, int>? _carryKernel;
    private readonly GlitchPopulation? _glitches;
    private readonly DisturbancePopulation? _disturbances;
    private readonly LockTimeline? _lock;
    private readonly TransientAdder _transients;
    private readonly MemoryBuffer1D<LineWave, Stride1D.Dense>? _lines;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<LineWave>, LineParams>? _lineKernel;
    /// <summary>The audible lines for the CPU path (<see cref="CpuLines"/>), without the kernel's silent padding.</summary>
    private readonly LineWave[]? _cpuLines;

    /// <summary>
    /// Whether the CPU accelerator runs the native path (default): the Gaussian bins on AVX2 (<see cref="CpuGaussianBins"/>)
    /// and the cross-fade and tail carry as block copies and vector loops (<see cref="CpuCrossfade"/>), all
    /// bit-identical to the ILGPU kernels, rather than those kernels as CUDA runs them. Tests run both.
    /// </summary>
    public bool NativeCpu { get; init; } = true;

    private bool UseNative => !_device.IsCuda && NativeCpu && CpuGaussianBins.IsSupported;
    private readonly int _launch;
    private readonly uint _key0, _key1, _channelId;

    /// <param name="blockSeconds">Work per kernel launch; changes memory and speed, never the samples.</param>
    /// <param name="components">What goes into the strain (default: everything the scenario defines).</param>
    public NoiseEngine(ComputeDevice device, Scenario scenario, double blockSeconds = 64, SignalComponents components = SignalComponents.All)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(scenario);
        if (!(blockSeconds > 0)) throw new NoiseInputException($"--block must be positive, got {blockSeconds}");
        _device = device;
        Scenario = scenario;
        Layout = EngineLayout.For(scenario.SampleRate);
        // at most 2^30 samples per block keeps every kernel index in 32 bits
        int maxSegments = Math.Max(1, Math.Min(4096, (1 << 30) / Layout.SegmentLength - 1));
        _blockSegments = (int)Math.Clamp(Math.Round(blockSeconds * scenario.SampleRate / Layout.Stride), 1, maxSegments);
        var acc = device.Accelerator;
        int n = Layout.SegmentLength;

        _amplitude = acc.Allocate1D(BuildAmplitudes(scenario, Layout));
        _fade = acc.Allocate1D(BuildFadeIn(Layout.Overlap));
        _bins = acc.Allocate1D<float>((long)(_blockSegments + 1) * Layout.BinSlotFloats);
        _time = acc.Allocate1D<float>((long)(_blockSegments + 1) * n);
        _output = acc.Allocate1D<float>((long)_blockSegments * Layout.Stride);
        _hostOutput = device.StagingFor(_output.Length);
        _fft = device.CreateInverseFft(n, Layout.BinSlotFloats);

        // breathing: per segment and band one gain, a pure function of the segment's GPS time
        double df = (double)scenario.SampleRate / n;
        _bandBins = scenario.Breathing.Select(b => ((int)Math.Ceiling(b.Band.Min / df), (int)Math.Floor(b.Band.Max / df) + 1)).ToArray();
        _bandPhase = scenario.Breathing.Select((b, i) => new CounterRng(scenario.Seed, 0xB2EAu, (uint)i, 0).Uniform(0, 2 * Math.PI)).ToArray();
        _hostGains = new float[(_blockSegments + 1) * 4];
        _gains = acc.Allocate1D<float>(_hostGains.Length);
        _launch = (int)Math.Min(acc.MaxNumThreads, 1 << 20);
        Components = components;
        bool glitches = components.HasFlag(SignalComponents.Glitches) && scenario.Glitches.Count > 0;
        bool injections = components.HasFlag(SignalComponents.Injections) && scenario.Injections is not null;
        if (glitches || injections)
            _glitches = new GlitchPopulation(scenario, components);
        if (components.HasFlag(SignalComponents.Aux) && scenario.Disturbances.Count > 0)
            _disturbances = new DisturbancePopulation(scenario);
        if (scenario.Lock is not null)
            _lock = new LockTimeline(scenario);
        _transients = new TransientAdder(device, scenario.SampleRate,
            new ITransientSource?[] { _glitches, _disturbances }.OfType<ITransientSource>().ToList());
        if (components.HasFlag(SignalComponents.Lines) && scenario.Lines.Count > 0)
        {
            var lines = LineWave.Build(scenario);
            if (device.IsCuda)
            {
                _lines = acc.Allocate1D(lines);
                _lineKernel = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<LineWave>, LineParams>(NoiseKernels.AddLines);
            }
            else
            {
                _cpuLines = lines.Where(l => l.Amplitude != 0).ToArray();
            }
        }

        _key0 = (uint)scenario.Seed;
        _key1 = (uint)((ulong)scenario.Seed >> 32);
        _channelId = ChannelId(scenario.Channel);
    }

    public Scenario Scenario { get; }
    public SignalComponents Components { get; }
    /// <summary>The transients (glitches and injections) drawn into the strain, or null when there are none.</summary>
    public GlitchPopulation? Glitches => _glitches;
    /// <summary>The environment's disturbances (witnessed, some coupled into the strain), or null without aux.</summary>
    public DisturbancePopulation? Disturbances => _disturbances;
    /// <summary>Lock losses and the state vector, or null when the scenario's detector never unlocks.</summary>
    public LockTimeline? Lock => _lock;
    public EngineLayout Layout { get; }
    public string FftName => _fft.Name;

    /// <summary>Benchmarks only: when set, each stage is synchronised and timed (slower; same samples).</summary>
    public StageTimes? Stages { get; set; }

    private void Charge(string stage)
    {
        if (Stages is null) return;
        _device.Accelerator.Synchronize();
        Stages.Charge(stage);
    }

    /// <summary>
    /// Produces samples [firstSample, firstSample + count) (absolute indices from GPS 0), handing them to
    /// <paramref name="sink"/> in order, in chunks of at most one block. The span is only valid during the call.
    /// </summary>
    public void Generate(long firstSample, long count, Action<ReadOnlySpan<float>, long> sink, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (count <= 0) return;
        long s = Layout.Stride;
        long mFirst = SampleMath.FloorDiv(firstSample, s);
        long mLast = SampleMath.FloorDiv(firstSample + count - 1, s);
        long end = firstSample + count;
        int prevSegments = 0;
        for (long m0 = mFirst; m0 <= mLast; m0 += _blockSegments)
        {
            cancel.ThrowIfCancellationRequested();
            int nb = (int)Math.Min(_blockSegments, mLast - m0 + 1);
            long blockStart = m0 * s;
            Stages?.Mark();
            if (Components.HasFlag(SignalComponents.Noise))
            {
                if (m0 == mFirst)
                {
                    // First block: also draw the segment before, whose tail fades into the first output stride.
                    LaunchBins(m0 - 1, nb + 1, 0);
                    Charge("bins");
                    _fft.Inverse(_bins, _time, 0, nb + 1);
                }
                else
                {
                    CarryTail(prevSegments);
                    LaunchBins(m0, nb, 1);
                    _device.Accelerator.Synchronize();
                    Charge("bins");
                    _fft.Inverse(_bins, _time, 1, nb);
                }
                Charge("fft");
                Crossfade(nb);
            }
            else
            {
                _output.MemSetToZero();
            }
            Charge("crossfade");
            AddLines(blockStart, nb * s);
            Charge("lines");
            _transients.Add(_output.View, blockStart, nb * s, Stages);
            Charge("transients_kernels");
            Gate(blockStart, nb * s);
            _device.Accelerator.Synchronize();
            Charge("gate");
            prevSegments = nb;

            long from = Math.Max(firstSample, blockStart);
            long to = Math.Min(end, blockStart + nb * s);
            var host = ComputeDevice.ToHost(_output, from - blockStart, to - from, _hostOutput);
            Charge("to_host");
            sink(host, from);
            Charge("sink");
        }
    }

    /// <summary>The last block's final segment tail moves to slot 0, where the next block's first segment fades in over it.</summary>
    private unsafe void CarryTail(int fromSlot)
    {
        if (UseNative)
        {
            _device.Accelerator.Synchronize();
            CpuCrossfade.CarryTail((float*)_time.NativePtr, fromSlot, Layout.SegmentLength, Layout.Overlap);
            return;
        }
        _carryKernel ??= _device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, int, int>(NoiseKernels.CarryTail);
        _carryKernel(_launch, _time.View, fromSlot, Layout.SegmentLength, Layout.Overlap, _launch);
    }

    /// <summary>The block's output: segments 1..nb of the time buffer, each faded in over its predecessor's tail.</summary>
    private unsafe void Crossfade(int segments)
    {
        if (UseNative)
        {
            _device.Accelerator.Synchronize();
            CpuCrossfade.Run((float*)_time.NativePtr, (float*)_fade.NativePtr, (float*)_output.NativePtr, Layout.SegmentLength, Layout.Overlap, segments, _device.Threads);
            return;
        }
        _fadeKernel ??= _device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, CrossfadeParams>(NoiseKernels.Crossfade);
        _fadeKernel(_launch, _time.View, _fade.View, _output.View, new CrossfadeParams
        {
            SegmentLength = Layout.SegmentLength,
            Overlap = Layout.Overlap,
            Segments = segments,
            Stride = _launch,
            Contiguous = _device.IsCuda ? 0 : 1,
        });
    }

    /// <summary>No science data while the detector is not analysis-ready: those samples are zero.</summary>
    private void Gate(long blockStart, long length)
    {
        if (_lock is null) return;
        int fs = Scenario.SampleRate;
        foreach (var (a, b) in _lock.Unready(SampleMath.FloorDiv(blockStart, fs), SampleMath.CeilDiv(blockStart + length, fs)))
        {
            long lo = Math.Max(blockStart, a * fs), hi = Math.Min(blockStart + length, b * fs);
            if (hi > lo) _output.View.SubView(lo - blockStart, hi - lo).MemSetToZero();
        }
    }

    private unsafe void AddLines(long blockStart, long length)
    {
        if (_cpuLines is not null)
        {
            _device.Accelerator.Synchronize();
            CpuLines.Add((float*)_output.NativePtr, blockStart, (int)length, _cpuLines, _device.Threads);
            return;
        }
        if (_lines is null || _lineKernel is null) return;
        long firstChunk = SampleMath.FloorDiv(blockStart, NoiseKernels.LineChunk);
        long lastChunk = SampleMath.FloorDiv(blockStart + length - 1, NoiseKernels.LineChunk);
        _lineKernel(_launch, _output.View, _lines.View, new LineParams
        {
            BlockFirstSample = blockStart,
            Count = (int)length,
            FirstChunk = firstChunk,
            Chunks = (int)(lastChunk - firstChunk + 1),
            LineCount = (int)_lines.Length,
            Stride = _launch,
            Contiguous = _device.IsCuda ? 0 : 1,
        });
    }

    private unsafe void LaunchBins(long firstSegment, int segments, int firstSlot)
    {
        var bands = Scenario.Breathing;
        if (bands.Count > 0)
        {
            Array.Fill(_hostGains, 1f);
            for (int i = 0; i < segments; i++)
            {
                // the segment's centre in GPS seconds
                double t = ((firstSegment + i) * (double)Layout.Stride + Layout.SegmentLength / 2.0) / Scenario.SampleRate;
                for (int b = 0; b < bands.Count; b++)
                    _hostGains[(firstSlot + i) * 4 + b] = (float)(1 + bands[b].Depth * Math.Sin(2 * Math.PI * (t / bands[b].Period) + _bandPhase[b]));
            }
            _device.Accelerator.Synchronize();   // the previous launch may still read the gains
            _gains.View.CopyFromCPU(_hostGains);
        }
        (int Lo, int Hi) Band(int b) => b < _bandBins.Length ? _bandBins[b] : (0, 0);
        var p = new BinParams
        {
            BandCount = bands.Count,
            BandLo0 = Band(0).Lo, BandHi0 = Band(0).Hi,
            BandLo1 = Band(1).Lo, BandHi1 = Band(1).Hi,
            BandLo2 = Band(2).Lo, BandHi2 = Band(2).Hi,
            BandLo3 = Band(3).Lo, BandHi3 = Band(3).Hi,
            FirstSegment = firstSegment,
            Segments = segments,
            Half = Layout.Half,
            FirstSlot = firstSlot,
            Stride = _launch,
            Contiguous = _device.IsCuda ? 0 : 1,
            Key0 = _key0,
            Key1 = _key1,
            Channel = _channelId,
        };
        if (UseNative)
        {
            _device.Accelerator.Synchronize();   // nothing may still read the bins being overwritten
            CpuGaussianBins.Fill((BinQuad*)_bins.NativePtr, (AmpPair*)_amplitude.NativePtr, (float*)_gains.NativePtr, p, _device.Threads);
            return;
        }
        _binsKernel ??= _device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<BinQuad>, ArrayView<AmpPair>, ArrayView<float>, BinParams>(NoiseKernels.GaussianBins);
        _binsKernel(_launch, _bins.View.AsContiguous().Cast<BinQuad>(), _amplitude.View.AsContiguous().Cast<AmpPair>(), _gains.View, p);
        if (!_device.IsCuda) _device.Accelerator.Synchronize();
    }

    /// <summary>
    /// |X_k| scale per rfft bin: sqrt(S(f_k) df) / 2 with S the one-sided PSD, so that the unnormalised inverse
    /// FFT of (a + i b) * scale has variance sum S(f_k) df (FIELD_NOTES §1 with numpy's 1/N folded in). Zero at
    /// DC, at Nyquist and below f_low. Computed in double on the host so both backends use the same floats.
    /// </summary>
    public static float[] BuildAmplitudes(Scenario scenario, EngineLayout layout)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(layout);
        var curve = scenario.LoadPsd();
        double df = (double)scenario.SampleRate / layout.SegmentLength;
        var amp = new float[layout.Half + 2];   // bins 0..N/2 and one zero of padding (pairs of bins)
        for (int k = 1; k < layout.Half; k++)
        {
            double f = k * df;
            if (f < scenario.FLow) continue;
            amp[k] = (float)(0.5 * Math.Sqrt(curve.At(f) * df));
        }
        return amp;
    }

    /// <summary>sin(pi (j + 1/2) / (2L)): the fade-in weight; the fade-out weight is the same table reversed.</summary>
    public static float[] BuildFadeIn(int overlap)
    {
        var w = new float[overlap];
        for (int j = 0; j < overlap; j++) w[j] = (float)Math.Sin(Math.PI * (j + 0.5) / (2.0 * overlap));
        return w;
    }

    /// <summary>FNV-1a of the channel name: different channels of one seed get independent streams.</summary>
    public static uint ChannelId(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        uint h = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(channel)) { h ^= b; h *= 16777619u; }
        return h;
    }

    public void Dispose()
    {
        _fft.Dispose();
        _amplitude.Dispose();
        _fade.Dispose();
        _bins.Dispose();
        _time.Dispose();
        _output.Dispose();
        _hostOutput?.Dispose();
        _transients.Dispose();
        _lines?.Dispose();
        _gains.Dispose();
    }
}
