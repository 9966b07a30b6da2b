using BenchmarkDotNet.Attributes;
using Noise.Core;
using Noise.IO;
using Noise.IO.Frames;

namespace Noise.Benchmarks;

/// <summary>
/// The same 64 s of 16 kHz float32 strain written and read as a GWF frame (ours, uncompressed and gzip) and as
/// GWOSC HDF5: frames must be no slower than the HDF5 path (issue: frames in and out).
/// </summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private const int Rate = 16384, Seconds = 64;
    private float[] _data = null!;
    private StrainMetadata _meta = null!;
    private string _dir = null!;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(1);
        _data = new float[Rate * Seconds];
        for (int i = 0; i < _data.Length; i++) _data[i] = (float)((r.NextDouble() - 0.5) * 1e-21);
        _meta = new StrainMetadata { Channel = "V1:Hrec_hoft_16384Hz", SampleRate = Rate, GpsStart = new GpsTime(1238166018, 0), Samples = _data.Length };
        _dir = Directory.CreateTempSubdirectory("noise-frame-bench").FullName;
        WriteGwf();
        WriteHdf5();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(Baseline = true)]
    public void WriteHdf5()
    {
        using var w = new GwoscHdf5Writer(Path.Combine(_dir, "s.hdf5"), _meta);
        w.Append(_data);
        w.Complete();
    }

    [Benchmark]
    public void WriteGwf() => GwfWriter.Write(Path.Combine(_dir, "s.gwf"), _meta.GpsStart, Seconds, [new GwfOutputChannel(_meta.Channel, Rate, _data)], "bench");

    [Benchmark]
    public void WriteGwfGzip() => GwfWriter.Write(Path.Combine(_dir, "z.gwf"), _meta.GpsStart, Seconds, [new GwfOutputChannel(_meta.Channel, Rate, _data)], "bench", gzip: true);

    [Benchmark]
    public double ReadHdf5() => StrainReader.Read(Path.Combine(_dir, "s.hdf5")).Data[^1];

    [Benchmark]
    public double ReadGwf() => StrainReader.Read(Path.Combine(_dir, "s.gwf")).Data[^1];
}
