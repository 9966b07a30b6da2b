using Noise.Core;
using BenchmarkDotNet.Attributes;


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

    private RealFft<float> _ours = null!;
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
        _ours = new RealFft<float>(N);
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

/// <summary>
/// The conditioning's forward real FFT in float64 (real strain's dynamic range needs it): ours against NWaves'
/// RealFft64, which the conditioning used before 2026-12-04, at a Welch segment (4 s at 16384 Hz) and at a 256 s
/// chunk of 16384 Hz strain (2^22), the two sizes `noise detect` spends its conditioning on.
/// </summary>
[MemoryDiagnoser]
public class ConditioningFftBenchmarks
{
    [Params(65536, 4194304)]
    public int N { get; set; }

    private RealFft<double> _ours = null!;
    private NWaves.Transforms.RealFft64 _nwaves = null!;
    private double[] _x = null!, _bins = null!, _re = null!, _im = null!;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(1);
        _x = new double[N];
        for (int i = 0; i < N; i++) _x[i] = r.NextDouble() - 0.5;
        _bins = new double[N + 2];
        _re = new double[N / 2 + 1];
        _im = new double[N / 2 + 1];
        _ours = new RealFft<double>(N);
        _nwaves = new NWaves.Transforms.RealFft64(N);
    }

    [Benchmark(Baseline = true)]
    public void Ours() => _ours.Forward(_x, _bins);

    [Benchmark]
    public void NWavesRealFft64() => _nwaves.Direct(_x, _re, _im);
}
