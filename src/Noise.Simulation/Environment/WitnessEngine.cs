using ILGPU;
using ILGPU.Runtime;
using Noise.Core;
using Noise.Simulation.Kernels;
using Noise.Simulation.Transients;

namespace Noise.Simulation.Environment;

/// <summary>
/// One auxiliary channel at its own rate: a white Gaussian floor (Philox keyed by the seed, the channel in the
/// counter: a pure function of (seed, channel, sample index)) plus the disturbances it witnesses, drawn by the
/// same transient kernel as the strain's glitches. Witness channels keep running while the detector is unlocked.
/// </summary>
public sealed class WitnessEngine : IDisposable
{
    private readonly ComputeDevice _device;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _output;
    private readonly HostStaging? _host;
    private readonly Action<Index1D, ArrayView<float>, WhiteParams> _noise;
    private readonly TransientAdder _transients;
    private readonly int _launch;
    private readonly uint _key0, _key1, _channel;
    private readonly float _sigma;
    private readonly int _block;

    public WitnessEngine(ComputeDevice device, Scenario scenario, WitnessSpec witness, DisturbancePopulation? disturbances, double blockSeconds = 64)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(witness);
        _device = device;
        Witness = witness;
        _block = (int)Math.Clamp(Math.Round(blockSeconds * witness.SampleRate), 1024, 1 << 26);
        _output = device.Accelerator.Allocate1D<float>(_block);
        _host = device.StagingFor(_block);
        _noise = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, WhiteParams>(NoiseKernels.WhiteNoise);
        _transients = new TransientAdder(device, witness.SampleRate,
            disturbances is null ? [] : [disturbances.ForWitness(witness)]);
        _launch = (int)Math.Min(device.Accelerator.MaxNumThreads, 1 << 20);
        _key0 = (uint)scenario.Seed;
        _key1 = (uint)((ulong)scenario.Seed >> 32);
        _channel = NoiseEngine.ChannelId(witness.Name);
        // white noise of one-sided ASD a at rate fs has variance a^2 fs / 2
        _sigma = (float)(witness.Floor * Math.Sqrt(witness.SampleRate / 2.0));
    }

    public WitnessSpec Witness { get; }

    /// <summary>Samples [firstSample, firstSample + count) at the witness rate, to <paramref name="sink"/> in order.</summary>
    public void Generate(long firstSample, long count, Action<ReadOnlySpan<float>, long> sink, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        for (long at = firstSample; at < firstSample + count; at += _block)
        {
            cancel.ThrowIfCancellationRequested();
            int n = (int)Math.Min(_block, firstSample + count - at);
            _noise(_launch, _output.View, new WhiteParams
            {
                BlockFirstSample = at,
                Count = n,
                Sigma = _sigma,
                Key0 = _key0,
                Key1 = _key1,
                Channel = _channel,
                Stride = _launch,
                Contiguous = _device.IsCuda ? 0 : 1,
            });
            _transients.Add(_output.View, at, n);
            _device.Accelerator.Synchronize();
            sink(ComputeDevice.ToHost(_output, 0, n, _host), at);
        }
    }

    public void Dispose()
    {
        _transients.Dispose();
        _output.Dispose();
        _host?.Dispose();
    }
}
