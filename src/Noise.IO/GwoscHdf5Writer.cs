using Noise.Core;
using PureHDF;
using PureHDF.Selections;

namespace Noise.IO;

/// <summary>
/// Strain in the GWOSC HDF5 layout that gwpy and h5py users already read: <c>/strain/Strain</c> (float32,
/// attributes Xstart, Xspacing, Xunits, Npoints), <c>/meta</c> (GPSstart, Duration, Detector, Description,
/// Observatory, Type, plus our provenance) and <c>/quality/simple</c> (a 1 Hz DQmask with every bit set while the
/// simulated detector is analysis-ready, and none while it is not). Written in fixed 2^20-sample slabs so the bytes do not depend on block size.
/// </summary>
public sealed class GwoscHdf5Writer : IStrainWriter
{
    private const int Slab = 1 << 20;
    private static readonly string[] DqNames = ["DATA", "CBC_CAT1", "CBC_CAT2", "CBC_CAT3", "BURST_CAT1", "BURST_CAT2", "BURST_CAT3"];

    private readonly StrainMetadata _meta;
    private readonly AtomicFile _file;
    private readonly H5NativeWriter _writer;
    private readonly H5Dataset<float[]> _strain;
    private readonly float[] _buffer = new float[Slab];
    private int _filled;
    private long _written;

    /// <param name="format">How run.json lists the file: "hdf5" for the strain, "witness-hdf5:CHANNEL" for an auxiliary channel.</param>
    public GwoscHdf5Writer(string path, StrainMetadata meta, string format = "hdf5")
    {
        ArgumentNullException.ThrowIfNull(meta);
        Format = format;
        if (meta.Samples <= 0) throw new ArgumentException("an HDF5 strain file needs at least one sample", nameof(meta));
        _meta = meta;
        _file = new AtomicFile(path);
        _strain = new H5Dataset<float[]>(fileDims: [(ulong)meta.Samples])
        {
            Attributes = new Dictionary<string, object>
            {
                ["Xstart"] = meta.GpsStart.ToDouble(),
                ["Xspacing"] = 1.0 / meta.SampleRate,
                ["Xunits"] = "second",
                ["Yunits"] = meta.Unit,
                ["Npoints"] = meta.Samples,
                ["Channel"] = meta.Channel,
            },
        };
        long seconds = (long)Math.Ceiling(meta.Duration);
        var dq = new int[seconds];
        Array.Fill(dq, (1 << DqNames.Length) - 1);
        if (meta.StateBySecond is { } states)
            for (int i = 0; i < dq.Length && i < states.Count; i++)
                if ((states[i] & 3) != 3) dq[i] = 0;
        var file = new H5File
        {
            ["meta"] = new H5Group
            {
                ["GPSstart"] = meta.GpsStart.Seconds,
                ["Duration"] = seconds,
                ["Detector"] = meta.Detector,
                ["Observatory"] = meta.Detector[..1],
                ["Type"] = "StrainTimeSeries",
                ["Description"] = $"Simulated {meta.Channel} strain from the noise digital twin (scenario {meta.ScenarioName})",
                ["Software"] = "noise " + meta.SoftwareVersion,
                ["Seed"] = meta.Seed,
                ["ScenarioHash"] = meta.ScenarioHash,
                ["SchemaVersion"] = StrainMetadata.SchemaVersion,
                ["SampleRate"] = meta.SampleRate,
            },
            ["strain"] = new H5Group { ["Strain"] = _strain },
            ["quality"] = new H5Group
            {
                ["simple"] = new H5Group
                {
                    ["DQmask"] = dq,
                    ["DQShortnames"] = DqNames,
                },
            },
        };
        _writer = file.BeginWrite(_file.TempPath);
    }

    public string FinalPath => _file.FinalPath;
    public string Format { get; }

    public void Append(ReadOnlySpan<float> samples)
    {
        while (!samples.IsEmpty)
        {
            int take = Math.Min(samples.Length, Slab - _filled);
            samples[..take].CopyTo(_buffer.AsSpan(_filled));
            _filled += take;
            samples = samples[take..];
            if (_filled == Slab) Flush();
        }
    }

    private void Flush()
    {
        if (_filled == 0) return;
        if (_written + _filled > _meta.Samples)
            throw new InvalidOperationException($"hdf5 writer got more than the {_meta.Samples} samples it was made for");
        var data = _filled == Slab ? _buffer : _buffer[.._filled];
        _writer.Write(_strain, data, fileSelection: new HyperslabSelection((ulong)_written, (ulong)_filled));
        _written += _filled;
        _filled = 0;
    }

    public void Complete()
    {
        Flush();
        if (_written != _meta.Samples)
            throw new InvalidOperationException($"hdf5 writer got {_written} samples, expected {_meta.Samples}");
        _writer.Dispose();
        _file.Commit();
    }

    public void Dispose()
    {
        try { _writer.Dispose(); } catch (ObjectDisposedException) { } catch (IOException) { }
        _file.Dispose();
    }
}
