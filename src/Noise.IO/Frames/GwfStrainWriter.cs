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
        var channels = Format == "gwf" && Math.Abs(meta.Duration - Math.Round(meta.Duration)) < 1e-9
            ? ChannelsOf(meta, _data, 0, (int)Math.Round(meta.Duration))
            : [new(meta.Channel, meta.SampleRate, _data, meta.Unit)];
        GwfWriter.Write(FinalPath, meta.GpsStart, meta.Duration, channels, $"noise {meta.SoftwareVersion} (scenario {meta.ScenarioName}, seed {meta.Seed})");
    }

    /// <summary>
    /// The channels of a strain frame covering seconds [firstSecond, firstSecond + seconds) of the run: the strain
    /// (<paramref name="data"/>) and, where the metadata carry it for all of them, the state vector as a 1 Hz channel.
    /// </summary>
    public static List<GwfOutputChannel> ChannelsOf(StrainMetadata meta, float[] data, int firstSecond, int seconds)
    {
        ArgumentNullException.ThrowIfNull(meta);
        var channels = new List<GwfOutputChannel> { new(meta.Channel, meta.SampleRate, data, meta.Unit) };
        // the state vector rides in the strain's frame where it covers whole seconds of it
        if (meta.StateBySecond is { } states && seconds > 0 && states.Count >= firstSecond + seconds)
            channels.Add(new(meta.Detector + ":DQ_ANALYSIS_STATE_VECTOR", 1, states.Skip(firstSecond).Take(seconds).Select(s => (float)s).ToArray(), ""));
        return channels;
    }

    public void Dispose() { }
}
