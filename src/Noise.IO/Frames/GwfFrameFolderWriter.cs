using System.Diagnostics;
using Noise.Core;

namespace Noise.IO.Frames;

/// <summary>
/// A detector's low-latency h(t) writer: the strain cut into frames of <c>frameSeconds</c>, each its own GWF file
/// named {obs}-{IFO}_{TAG}-{GPS}-{N}.gwf (as L-L1_llhoft-GPS-1.gwf) with the state vector's seconds in the same
/// frame, each written whole under a temporary name and then renamed, so a reader polling the folder
/// (noise stream --source dir:) never sees a partial frame. Paced, a frame appears when its last sample is due
/// (its GPS end after the run's start, on the wall clock); frames that ended more than <c>keepSeconds</c> before the
/// newest one are deleted, as an online frame folder keeps only the last minutes. The frames are the same bytes
/// whatever blocks the samples arrive in.
/// </summary>
/// <param name="stemOf">File name (without .gwf) of the frame that starts at a GPS time.</param>
/// <param name="keepSeconds">Frames older than this behind the newest are removed; 0 keeps every frame.</param>
/// <param name="paced">Write each frame only when it is due in real time (from the first sample's arrival).</param>
public sealed class GwfFrameFolderWriter(string dir, Func<GpsTime, string> stemOf, StrainMetadata meta, int frameSeconds, double keepSeconds,
    bool paced, CancellationToken cancel = default) : IStrainWriter
{
    private readonly float[] _frame = new float[checked(frameSeconds * meta.SampleRate)];
    private readonly List<(string Path, double End)> _kept = [];
    private readonly Stopwatch _clock = new();
    private int _filled;
    private long _index;

    /// <summary>The folder (the frames are <see cref="Frames"/>).</summary>
    public string FinalPath { get; } = dir;
    public string Format => "gwf-frames";
    /// <summary>The frames written and not expired, oldest first.</summary>
    public IReadOnlyList<string> Frames => _kept.Select(k => k.Path).ToList();

    public void Append(ReadOnlySpan<float> samples)
    {
        if (!_clock.IsRunning) _clock.Start();
        while (samples.Length > 0)
        {
            int n = Math.Min(samples.Length, _frame.Length - _filled);
            samples[..n].CopyTo(_frame.AsSpan(_filled));
            _filled += n;
            samples = samples[n..];
            if (_filled == _frame.Length) WriteFrame();
        }
    }

    private void WriteFrame()
    {
        long firstSample = meta.GpsStart.ToSampleIndex(meta.SampleRate) + _index * _frame.Length;
        if (firstSample + _frame.Length > meta.GpsStart.ToSampleIndex(meta.SampleRate) + meta.Samples)
            throw new InvalidOperationException($"frame writer got more than the {meta.Samples} samples it was made for");
        var gps = GpsTime.FromSampleIndex(firstSample, meta.SampleRate);
        if (paced)
        {
            var due = TimeSpan.FromSeconds((_index + 1.0) * frameSeconds) - _clock.Elapsed;
            if (due > TimeSpan.Zero && cancel.WaitHandle.WaitOne(due)) throw new OperationCanceledException(cancel);
        }
        var path = Path.Combine(FinalPath, stemOf(gps) + ".gwf");
        int second = (int)(_index * frameSeconds);
        GwfWriter.Write(path, gps, frameSeconds, GwfStrainWriter.ChannelsOf(meta, _frame, second, frameSeconds),
            $"noise {meta.SoftwareVersion} (scenario {meta.ScenarioName}, seed {meta.Seed})");
        double end = gps.ToDouble() + frameSeconds;
        _kept.Add((path, end));
        if (keepSeconds > 0)
            while (_kept.Count > 0 && _kept[0].End <= end - keepSeconds)
            {
                File.Delete(_kept[0].Path);
                _kept.RemoveAt(0);
            }
        _index++;
        _filled = 0;
    }

    public void Complete()
    {
        if (_filled != 0 || _index * _frame.Length != meta.Samples)
            throw new InvalidOperationException($"frame writer got {_index * _frame.Length + _filled} samples, expected {meta.Samples} (whole frames of {frameSeconds} s)");
    }

    public void Dispose() { }
}
