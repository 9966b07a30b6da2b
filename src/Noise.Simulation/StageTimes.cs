using System.Diagnostics;

namespace Noise.Simulation;

/// <summary>
/// Wall time per engine stage, for benchmarks only: an engine given one synchronises the accelerator after every
/// stage (so GPU work is charged to the stage that queued it), which itself costs speed. Never changes a sample.
/// </summary>
public sealed class StageTimes
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _mark;

    public Dictionary<string, double> Seconds { get; } = [];
    public Dictionary<string, long> Counts { get; } = [];

    /// <summary>Starts timing the next stage.</summary>
    public void Mark() => _mark = _clock.Elapsed.TotalSeconds;

    /// <summary>Charges the time since the last mark to <paramref name="stage"/> and marks again.</summary>
    public void Charge(string stage)
    {
        double now = _clock.Elapsed.TotalSeconds;
        Seconds[stage] = Seconds.GetValueOrDefault(stage) + now - _mark;
        _mark = now;
    }

    public void Count(string what, long n) => Counts[what] = Counts.GetValueOrDefault(what) + n;
}
