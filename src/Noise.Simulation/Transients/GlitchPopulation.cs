using System.Numerics;
using Noise.Core;

namespace Noise.Simulation.Transients;

/// <summary>
/// A catalogued event and the atoms that draw it, in absolute sample time. <paramref name="Samples"/>, when
/// present, is the event already rendered over [FirstSample, EndSample) at the channel's rate (the host renders
/// every event once to measure it): the CPU path adds these instead of evaluating the atoms a second time.
/// </summary>
public sealed record PlacedEvent(TransientEvent Event, TransientAtom[] Atoms, long FirstSample, long EndSample, float[]? Samples = null);

/// <summary>
/// The scenario's glitches as a pure function of (seed, GPS time): time is cut into fixed arrival windows of
/// <see cref="WindowSeconds"/> from GPS 0, and window w of class c draws a Poisson number of events, their
/// times and parameters from its own Philox stream. Any run, block or shard that covers a window sees the same
/// events. Each event is scaled to its drawn optimal SNR against the scenario's PSD with the noise-weighted
/// inner product 4 Re sum h~* h~ / S df over [f_low, fs/2], h~ = rfft(h)/fs (FIELD_NOTES §1).
/// </summary>
public sealed class GlitchPopulation : ITransientSource
{
    public const int WindowSeconds = 64;
    private readonly Scenario _scenario;
    private readonly List<GlitchClassSpec> _classes;
    /// <summary>Longest reach of an event from its reference time (repeating blips, arches, chirps), for lookups.</summary>
    private readonly int _reachSeconds;
    private readonly Dictionary<long, List<PlacedEvent>> _cache = [];
    /// <summary>Catalogue rows of every window placed so far: small, kept for the whole run (no re-placing).</summary>
    private readonly Dictionary<long, List<TransientEvent>> _rows = [];
    private readonly TransientMeasure _measure;

    /// <param name="components">Which of the scenario's transient populations to draw (glitches, injections).</param>
    public GlitchPopulation(Scenario scenario, SignalComponents components = SignalComponents.All)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        _measure = new TransientMeasure(scenario);
        _classes = [];
        if (components.HasFlag(SignalComponents.Glitches)) _classes.AddRange(scenario.Glitches);
        if (components.HasFlag(SignalComponents.Injections) && scenario.Injections is { } inj) _classes.Add(inj);
        double reach = 16;
        foreach (var c in _classes)
        {
            reach = Math.Max(reach, c.Name switch
            {
                "Repeating_Blips" => 6 * c.Duration.Max + 1,
                "Scattered_Light" or "Koi_Fish" or "Whistle" => c.Duration.Max + 1,
                "CBC_Chirp" => 1.1 * GlitchWaveforms.LongestChirpSeconds(c) + 1,
                _ => 16,
            });
        }
        _reachSeconds = (int)Math.Ceiling(reach);
    }

    public bool IsEmpty => _classes.All(g => g.RatePerHour <= 0);

    /// <summary>Events whose support overlaps samples [first, end) (absolute indices), in time order.</summary>
    public List<PlacedEvent> Overlapping(long first, long end)
    {
        var list = new List<PlacedEvent>();
        if (IsEmpty) return list;
        long fs = _scenario.SampleRate;
        long w0 = SampleMath.FloorDiv(first - _reachSeconds * fs, WindowSeconds * fs);
        long w1 = SampleMath.FloorDiv(end + _reachSeconds * fs, WindowSeconds * fs);
        for (long w = w0; w <= w1; w++)
            foreach (var e in Window(w))
                if (e.EndSample > first && e.FirstSample < end) list.Add(e);
        // keep the cache to the windows near the current position: constant memory on endless runs
        foreach (var old in _cache.Keys.Where(k => k < w0 - 1).ToList()) _cache.Remove(old);
        list.Sort((a, b) => a.Event.PeakTime.CompareTo(b.Event.PeakTime));
        return list;
    }

    /// <summary>Catalogue rows of the events whose peak lies in samples [first, end).</summary>
    public List<TransientEvent> Catalogue(long first, long end)
    {
        var rows = new List<TransientEvent>();
        if (IsEmpty) return rows;
        long fs = _scenario.SampleRate;
        for (long w = SampleMath.FloorDiv(first, WindowSeconds * fs); w <= SampleMath.FloorDiv(end - 1, WindowSeconds * fs); w++)
        {
            if (!_rows.TryGetValue(w, out var windowRows)) windowRows = Window(w).Select(e => e.Event).ToList();
            foreach (var e in windowRows)
            {
                long peak = e.PeakTime.ToSampleIndexFloor(_scenario.SampleRate);
                if (peak >= first && peak < end) rows.Add(e);
            }
        }
        rows.Sort((a, b) => a.PeakTime.CompareTo(b.PeakTime));
        return rows;
    }

    /// <summary>
    /// Only the arrivals (class, GPS reference time) in samples [first, end), drawn exactly as the full events
    /// are but without rendering them: for rate statistics over long spans.
    /// </summary>
    public List<(string Class, double Time)> Arrivals(long first, long end)
    {
        var list = new List<(string, double)>();
        long fs = _scenario.SampleRate;
        for (long w = SampleMath.FloorDiv(first, WindowSeconds * fs); w <= SampleMath.FloorDiv(end - 1, WindowSeconds * fs); w++)
            foreach (var (spec, _, erng, t, _) in Draws(w))
                if (t * fs >= first && t * fs < end) list.Add((spec.Name, t));
        return list;
    }

    /// <summary>Window w's draws: per class a Poisson count, then per event its own stream and time.</summary>
    private IEnumerable<(GlitchClassSpec Spec, int ClassId, CounterRng Rng, double Time, long Id)> Draws(long w)
    {
        for (int c = 0; c < _classes.Count; c++)
        {
            var spec = _classes[c];
            if (spec.RatePerHour <= 0) continue;
            int classId = IndexOfClass(spec.Name);
            var rng = new CounterRng(_scenario.Seed, 0x6C17C400u + (uint)classId, (uint)w, (uint)((ulong)w >> 32));
            int n = rng.Poisson(spec.RatePerHour * WindowSeconds / 3600.0);
            for (int k = 0; k < n; k++)
            {
                var erng = new CounterRng(_scenario.Seed, 0x6C17C500u + (uint)classId, (uint)w, (uint)(k + 1) | ((uint)((ulong)w >> 32) << 16));
                double t = (w + erng.NextUniform()) * WindowSeconds;   // GPS seconds of the reference time
                yield return (spec, classId, erng, t, (w << 16) | ((long)classId << 10) | (long)k);
            }
        }
    }

    private List<PlacedEvent> Window(long w)
    {
        if (_cache.TryGetValue(w, out var cached)) return cached;
        // events are independent: place (render, measure, scale) them in parallel, keep the draw order
        var draws = Draws(w).ToList();
        var placed = new PlacedEvent?[draws.Count];
        Parallel.For(0, draws.Count, i => placed[i] = Place(draws[i].Spec, draws[i].Rng, draws[i].Time, draws[i].Id));
        var events = placed.Where(p => p is not null).Select(p => p!).ToList();
        _cache[w] = events;
        _rows[w] = events.Select(e => e.Event).ToList();
        return events;
    }

    private PlacedEvent? Place(GlitchClassSpec spec, CounterRng rng, double tRef, long id)
    {
        int fs = _scenario.SampleRate;
        var (shape, q) = GlitchWaveforms.Draw(spec, rng);
        double snr = rng.PowerLaw(spec.Snr.Min, spec.Snr.Max, spec.SnrPower);

        var atoms = AtomPlacement.Place(shape, tRef, fs, out long lo, out long hi);

        // render at unit scale exactly as the kernel does (or, for a sampled waveform, with its own renderer, its peak
        // at the reference time to the sub-sample), measure, scale to the drawn SNR
        double[] h;
        if (atoms is [{ Shape: (int)AtomShape.Sampled } a])
        {
            var w = ImrPhenomA.Render(a.Param, a.Param2, a.Frequency, fs, a.Phase, a.CenterFraction);
            h = w.Samples;
            lo = a.CenterSample - w.PeakIndex;
            hi = lo + h.Length;
            atoms[0] = a with { FirstSample = lo, EndSample = hi };
        }
        else h = TransientMeasure.Render(atoms, lo, hi, fs);
        var m = _measure.Measure(h, fs);
        if (!(m.Snr > 1e-300)) return null;   // no power above f_low: nothing a detector could see
        double scale = snr / m.Snr;
        for (int i = 0; i < atoms.Length; i++) atoms[i].Amplitude = (float)(atoms[i].Amplitude * scale);
        var samples = new float[h.Length];
        for (int i = 0; i < h.Length; i++) samples[i] = (float)(h[i] * scale);

        var ev = new TransientEvent
        {
            EventId = id,
            Ifo = _scenario.Detector,
            Channel = _scenario.Channel,
            Class = spec.Name,
            Kind = spec.Kind,
            PeakTime = GpsTime.FromSampleIndex(atoms[0].CenterSample, fs) with { },
            StartTime = GpsTime.FromSampleIndex(lo + m.StartOffset, fs),
            Duration = m.Duration,
            CentralFrequency = m.Central,
            PeakFrequency = m.Peak,
            Bandwidth = m.Bandwidth,
            Q = q,
            Snr = snr,
            Hrss = m.Hrss * scale,
            Amplitude = m.Amplitude * scale,
        };
        // the peak time keeps the sub-sample fraction of the reference atom
        ev = ev with { PeakTime = AddNanos(ev.PeakTime, (long)Math.Round(atoms[0].CenterFraction / (double)fs * 1e9)) };
        return new PlacedEvent(ev, atoms, lo, hi, samples);
    }

    /// <summary>Optimal SNR and the catalogue's measured columns of samples h at rate fs (see <see cref="TransientMeasure"/>).</summary>
    public TransientMeasure.Measurement Measure(double[] h, int fs) => _measure.Measure(h, fs);

    private static int IndexOfClass(string name)
    {
        if (name == GlitchFamilies.Injection.Name) return 31;
        int i = 0;
        foreach (var n in GlitchFamilies.Names) { if (n == name) return i; i++; }
        throw new NoiseInputException($"unknown glitch class '{name}'");
    }

    internal static GpsTime AddNanos(GpsTime t, long nanos)
    {
        long ns = t.Nanoseconds + nanos;
        return new GpsTime(t.Seconds + Math.DivRem(ns, GpsTime.NanosPerSecond, out var rem), (int)rem);
    }
}
