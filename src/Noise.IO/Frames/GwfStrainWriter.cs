using Noise.Core;

namespace Noise.IO.Frames;

/// <summary>
/// Strain as one GWF frame file (<see cref="GwfWriter"/>): the channel as a float32 FrProcData and, where the
/// metadata carry it, the state vector as a 1 Hz channel IFO:DQ_ANALYSIS_STATE_VECTOR in the same frame, as
/// observatories ship h(t) with its state. The samples are held until <see cref="Complete"/> writes the file
/// (4 bytes a sample: 268 MB for 4096 s at 16 kHz), which then appears whole under its final name.
/// </summary>
public sealed class GwfStrainWriter(string path, StrainMetadata meta, string format = "gwf") : IStrainWriter
{
    private readonly float[] _data = new float[meta.Samples];
    private long _written;

    public string FinalPath { get; } = path;
    public string Format { get; } = format;

    public void Append(ReadOnlySpan<float> samples)
    {
        if (_written + samples.Length > _data.Length)
            throw new InvalidOperationException($"gwf writer got more than the {_data.Length} samples it was made for");
        samples.CopyTo(_data.AsSpan((int)_written));
        _written += samples.Length;
    }

    public void Complete()
    {
        if (_written != _data.Length) throw new InvalidOperationException($"gwf writer got {_written} samples, expected {_data.Length}");
        var channels = new List<GwfOutputChannel> { new(meta.Channel, meta.SampleRate, _data, meta.Unit) };
        // the state vector rides in the strain's frame where it covers whole seconds of it
        int seconds = (int)Math.Round(meta.Duration);
        if (meta.StateBySecond is { } states && Format == "gwf" && Math.Abs(meta.Duration - seconds) < 1e-9 && states.Count >= seconds && seconds > 0)
            channels.Add(new(meta.Detector + ":DQ_ANALYSIS_STATE_VECTOR", 1, states.Take(seconds).Select(s => (float)s).ToArray(), ""));
        GwfWriter.Write(FinalPath, meta.GpsStart, meta.Duration, channels, $"noise {meta.SoftwareVersion} (scenario {meta.ScenarioName}, seed {meta.Seed})");
    }

    public void Dispose() { }
}
