using Noise.Core;
using Noise.Simulation.Transients;

namespace Noise.Simulation.Environment;

/// <summary>
/// When the detector is analysis-ready, as a pure function of (seed, GPS second): spontaneous lock losses
/// (Poisson in fixed windows) and earthquakes whose ground velocity exceeds the lock threshold each start an
/// unlocked stretch of a drawn relock time. The state vector <c>V1:DQ_ANALYSIS_STATE_VECTOR</c> is 1 Hz:
/// bit 0 "interferometer locked", bit 1 "science mode" and bit 2 "h(t) reconstruction running"; the data are
/// analysis-ready when <c>(state &amp; 3) == 3</c> (FIELD_NOTES §1). Unready stretches cover whole GPS seconds,
/// so the strain's gate and the state vector always agree.
/// </summary>
public sealed class LockTimeline
{
    public const int Ready = 0b111;
    public const int Unlocked = 0b100;
    private const int WindowSeconds = 3600;
    private readonly Scenario _scenario;
    private readonly LockSpec _spec;
    private readonly long _reach;
    private readonly Dictionary<long, List<(long Start, long End)>> _cache = [];

    public LockTimeline(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        _spec = scenario.Lock ?? throw new ArgumentException("the scenario defines no lock section", nameof(scenario));
        double quake = scenario.Disturbances.Where(d => d.Name == "Earthquake").Select(d => d.Duration.Max).DefaultIfEmpty(0).Max();
        _reach = (long)Math.Ceiling(_spec.Relock.Max + quake) + 2;
    }

    public static bool IsReady(int state) => (state & 3) == 3;

    /// <summary>The state vector for GPS second <paramref name="second"/>.</summary>
    public int State(long second) => Unready(second, second + 1).Count > 0 ? Unlocked : Ready;

    /// <summary>States of GPS seconds [from, to).</summary>
    public int[] States(long from, long to)
    {
        var s = new int[Math.Max(0, to - from)];
        Array.Fill(s, Ready);
        foreach (var (a, b) in Unready(from, to))
            for (long t = a; t < b; t++) s[t - from] = Unlocked;
        return s;
    }

    /// <summary>Not-ready stretches [start, end) in GPS seconds, merged and clipped to [from, to).</summary>
    public List<(long Start, long End)> Unready(long from, long to)
    {
        var all = new List<(long Start, long End)>();
        for (long w = SampleMath.FloorDiv(from - _reach, WindowSeconds); w <= SampleMath.FloorDiv(to, WindowSeconds); w++)
            all.AddRange(Losses(w));
        all.Sort();
        var merged = new List<(long Start, long End)>();
        foreach (var (a0, b0) in all)
        {
            long a = Math.Max(a0, from), b = Math.Min(b0, to);
            if (b <= a) continue;
            if (merged.Count > 0 && a <= merged[^1].End) merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, b));
            else merged.Add((a, b));
        }
        return merged;
    }

    /// <summary>The lock losses that start in window w, as unlocked stretches of whole seconds.</summary>
    private List<(long Start, long End)> Losses(long w)
    {
        lock (_cache)
        {
            if (_cache.TryGetValue(w, out var cached)) return cached;
        }
        var list = new List<(long, long)>();
        var rng = new CounterRng(_scenario.Seed, 0x10C4A000u, (uint)w, (uint)((ulong)w >> 32));
        int n = rng.Poisson(_spec.LossRatePerHour * WindowSeconds / 3600.0);
        for (int k = 0; k < n; k++)
        {
            double t = (w + rng.NextUniform()) * WindowSeconds;
            list.Add(Stretch(t, _spec.Relock.LogLerp(rng.NextUniform())));
        }
        // earthquakes drawn in their own windows; each belongs to the lock window holding its loss time
        for (long q = SampleMath.FloorDiv((w - 1) * WindowSeconds, DisturbancePopulation.WindowSeconds);
             q <= SampleMath.FloorDiv((w + 2) * WindowSeconds, DisturbancePopulation.WindowSeconds); q++)
        {
            foreach (var d in DisturbancePopulation.Draws(_scenario, q, "Earthquake"))
            {
                if (d.Amplitude <= _spec.EarthquakeVelocity) continue;
                // the envelope A exp(-(t/tau)^2) crosses the threshold on the way up
                double tLoss = d.Time - d.Tau * Math.Sqrt(Math.Log(d.Amplitude / _spec.EarthquakeVelocity));
                if (SampleMath.FloorDiv((long)Math.Floor(tLoss), WindowSeconds) != w) continue;
                var relock = new CounterRng(_scenario.Seed, 0x10C4B000u, (uint)d.Id, (uint)((ulong)d.Id >> 32));
                list.Add(Stretch(tLoss, _spec.Relock.LogLerp(relock.NextUniform())));
            }
        }
        lock (_cache)
        {
            if (_cache.Count > 64) _cache.Clear();
            _cache[w] = list;
        }
        return list;
    }

    private static (long, long) Stretch(double t, double seconds) => ((long)Math.Floor(t), (long)Math.Ceiling(t + seconds));
}
