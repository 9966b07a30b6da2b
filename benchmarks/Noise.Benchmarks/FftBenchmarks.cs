using BenchmarkDotNet.Attributes;
using Noise.Simulation.Fft;

namespace Noise.Benchmarks;

/// <summary>
/// Candidates for the CPU inverse real FFT at the engine's segment length (65536 at 16384 Hz): our
/// vectorised Stockham, NWaves' RealFft (float), Math.NET's real inverse (double, builds a complex array).
/// </summary>
[MemoryDiagnoser]
public class FftBenchmarks
{
    [Params(16384, 65536, 262144)]
    public int N { get; set; }

    private CpuRealFft _ours = null!;
    private NWaves.Transforms.RealFft _nwaves = null!;
    private float[] _bins = null!, _re = null!, _im = null!, _out = null!;
    private double[] _mathnet = null!;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(1);
        _bins = new float[N + 2];
        for (int i = 0; i < _bins.Length; i++) _bins[i] = (float)r.NextDouble() - 0.5f;
        _re = new float[N / 2 + 1];
        _im = new float[N / 2 + 1];
        for (int k = 0; k <= N / 2; k++) { _re[k] = _bins[2 * k]; _im[k] = _bins[2 * k + 1]; }
        _out = new float[N];
        _ours = new CpuRealFft(N);
        _nwaves = new NWaves.Transforms.RealFft(N);
        _mathnet = new double[N + 2];
    }

    [Benchmark(Baseline = true)]
    public void Ours() => _ours.Inverse(_bins, _out);

    [Benchmark]
    public void NWavesRealFft() => _nwaves.Inverse(_re, _im, _out);

    [Benchmark]
    public void MathNetRealInverse()
    {
        for (int i = 0; i < _bins.Length; i++) _mathnet[i] = _bins[i];
        MathNet.Numerics.IntegralTransforms.Fourier.InverseReal(_mathnet, N, MathNet.Numerics.IntegralTransforms.FourierOptions.NoScaling);
    }
}
