using Noise.Core;
using Noise.Simulation;
using Noise.Simulation.Transients;

namespace Noise.Detection.Model;

/// <summary>One labelled window of whitened strain at the model's rate.</summary>
public sealed record LabelledWindow(float[] Data, int Label, float TimeFraction, float Snr, double Start);

/// <summary>
/// Endless labelled training data from the twin: stretches of the scenario's noise and lines (no lock losses),
/// with glitches of every class and chirps drawn at equal rates (balanced classes) and SNRs above a floor the
/// trainer lowers as it goes (the curriculum), conditioned exactly as evaluation and streaming condition data.
/// Each glitch gives windows with its peak at random places inside; as many windows far from any transient are "None".
/// A pure function of (scenario, seed, stretch index, SNR floor).
/// </summary>
public sealed class TwinWindows : IDisposable
{
    public const double StretchSeconds = 128;
    /// <summary>Events per hour per class: a stretch holds ~(classes x 40 / 28) events, a few seconds apart.</summary>
    public const double RatePerClass = 60;
    private readonly ComputeDevice _device;
    private readonly Scenario _scenario;
    private readonly DetectorSpec _spec;
    private readonly NoiseVariety? _variety;
    /// <summary>The scenario on each curve a stretch may be drawn on (the scenario's own first), and its noise engine.</summary>
    private readonly List<(Scenario Scenario, NoiseEngine Noise, PsdCurve Psd)> _curves = [];
    private readonly Dictionary<(int Curve, double Floor), GlitchPopulation> _populations = [];

    /// <param name="variety">Domain randomisation of the noise per stretch (<see cref="NoiseVariety"/>); null: the scenario as it is.</param>
    public TwinWindows(Scenario scenario, long seed, DetectorSpec spec, int threads = 1, NoiseVariety? variety = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _spec = spec ?? throw new ArgumentNullException(nameof(spec));
        _variety = variety;
        // the model reads 2048 Hz: drawing the twin at twice that (not 16 kHz) makes the same windows 4x cheaper
        int rate = Math.Min(scenario.SampleRate, 2 * spec.SampleRate);
        _scenario = scenario with { Seed = seed, Lock = null, Disturbances = [], Witnesses = [], SampleRate = rate };
        _device = ComputeDevice.Create(DeviceChoice.Cpu, threads);
        foreach (var s in new[] { _scenario }.Concat((variety?.Curves ?? []).Select(c => _scenario with { Psd = c })))
            _curves.Add((s, new NoiseEngine(_device, s with { Glitches = [], Injections = null }, 64, SignalComponents.Noise | SignalComponents.Lines), s.LoadPsd()));
    }

    /// <summary>Windows from stretch <paramref name="index"/> with transients of SNR at least <paramref name="snrFloor"/>.</summary>
    public List<LabelledWindow> Stretch(long index, double snrFloor, int windowsPerEvent = 3)
    {
        int fs = _scenario.SampleRate;
        var (x, first, curve) = NoiseOf(index);
        long n = x.Length;
        var population = Population(curve, snrFloor);
        var events = population.Overlapping(first, first + n);
        foreach (var e in events)
        {
            long lo = Math.Max(first, e.FirstSample), hi = Math.Min(first + n, e.EndSample);
            // the samples the population rendered to measure the event (what the strain engine adds on the CPU)
            if (e.Samples is { } rendered)
                for (long s = lo; s < hi; s++) x[s - first] += rendered[s - e.FirstSample];
            else
            {
                var h = TransientMeasure.Render(e.Atoms, lo, hi, fs);
                for (long s = lo; s < hi; s++) x[s - first] += h[s - lo];
            }
        }
        var whitened = Conditioner.Condition(x, fs, _spec);
        double t0 = (double)first / fs;
        var rng = new CounterRng(_scenario.Seed, 0x7A1Eu, (uint)index, (uint)(snrFloor * 100));
        var windows = new List<LabelledWindow>();
        int w = _spec.WindowSamples, r = _spec.SampleRate;
        double win = _spec.WindowSeconds;
        // busy spans: nothing labelled "None" may touch them
        var busy = events.Select(e => ((double)e.FirstSample / fs - t0 - 0.25, (double)e.EndSample / fs - t0 + 0.25)).ToList();
        foreach (var e in events)
        {
            var row = e.Event;
            int label = _spec.IndexOf(row.Class);
            if (label < 0) continue;
            double peak = row.PeakTime.ToDouble() - t0;
            for (int k = 0; k < windowsPerEvent; k++)
            {
                double frac = rng.Uniform(0.15, 0.85);
                double start = peak - frac * win;
                var data = Cut(whitened, start, r, w);
                if (data is null) continue;
                windows.Add(new LabelledWindow(data, label, (float)frac, (float)row.Snr, t0 + start));
            }
        }
        // as many empty windows as transient ones: a detector held to one false alarm an hour must above all learn
        // what noise looks like (with a sixth of the pool empty, the first model fired 1700 times an hour at p 0.5)
        int noneWanted = Math.Max(2, windows.Count);
        for (int tries = 0; tries < 50 * noneWanted && noneWanted > 0; tries++)
        {
            double start = rng.Uniform(0, StretchSeconds - win);
            if (busy.Any(b => b.Item1 < start + win && b.Item2 > start)) continue;
            var data = Cut(whitened, start, r, w);
            if (data is null) continue;
            windows.Add(new LabelledWindow(data, _spec.NoneIndex, -1, 0, t0 + start));
            noneWanted--;
        }
        return windows;
    }

    /// <summary>
    /// Every window (one per <paramref name="strideSeconds"/>) of stretch <paramref name="index"/> of the scenario's
    /// noise and lines alone, labelled None: the glitch-free data a detector's false alarms come from.
    /// </summary>
    public List<LabelledWindow> Quiet(long index, double strideSeconds)
    {
        int fs = _scenario.SampleRate;
        var (x, first, _) = NoiseOf(index);
        var whitened = Conditioner.Condition(x, fs, _spec);
        double t0 = (double)first / fs;
        var windows = new List<LabelledWindow>();
        for (double start = 0; start + _spec.WindowSeconds <= StretchSeconds; start += strideSeconds)
            if (Cut(whitened, start, _spec.SampleRate, _spec.WindowSamples) is { } data)
                windows.Add(new LabelledWindow(data, _spec.NoneIndex, -1, 0, t0 + start));
        return windows;
    }

    /// <summary>
    /// Stretch <paramref name="index"/> of the scenario's noise and lines (on the curve the variety draws for it, with
    /// its line forest and envelope), its first sample, and which curve it is on.
    /// </summary>
    private (double[] X, long First, int Curve) NoiseOf(long index)
    {
        int fs = _scenario.SampleRate;
        long n = (long)(StretchSeconds * fs);
        long first = _scenario.GpsStart.ToSampleIndex(fs) + index * n;
        int curve = _variety?.CurveOf(_scenario.Seed, index) ?? 0;
        var x = new double[n];
        _curves[curve].Noise.Generate(first, n, (span, at) => { for (int i = 0; i < span.Length; i++) x[at - first + i] = span[i]; });
        _variety?.Apply(x, first, fs, _curves[curve].Psd, _scenario.Seed, index);
        return (x, first, curve);
    }

    /// <summary>The window of whitened samples from <paramref name="start"/> s, or null where it holds unusable samples.</summary>
    private static float[]? Cut(double[] whitened, double start, int rate, int length)
    {
        long i0 = (long)Math.Round(start * rate);
        if (i0 < 0 || i0 + length > whitened.Length) return null;
        var d = new float[length];
        for (int i = 0; i < length; i++)
        {
            double v = whitened[i0 + i];
            if (!double.IsFinite(v)) return null;
            d[i] = (float)v;
        }
        return d;
    }

    /// <summary>Balanced transients on the given curve: each is scaled to its SNR against the noise it lands in.</summary>
    private GlitchPopulation Population(int curve, double snrFloor)
    {
        if (_populations.TryGetValue((curve, snrFloor), out var p)) return p;
        var scenario = _curves[curve].Scenario;
        var classes = _spec.Classes.Where(c => c is not (DetectorSpec.None or DetectorSpec.Chirp)).Select(c =>
        {
            var g = scenario.Glitches.FirstOrDefault(x => x.Name == c) ?? GlitchFamilies.Default(c);
            // balanced classes; SNRs from the floor up, flatter than the natural ~rho^-2.5 so loud ones are seen too
            return g with { RatePerHour = RatePerClass, Snr = new ParamRange(snrFloor, Math.Max(2 * snrFloor, Math.Min(g.Snr.Max, 100))), SnrPower = 1.5 };
        }).ToList();
        var chirp = (scenario.Injections ?? GlitchFamilies.Injection) with
        {
            RatePerHour = RatePerClass,
            Snr = new ParamRange(snrFloor, 60),
            SnrPower = 1.5,
        };
        p = new GlitchPopulation(scenario with { Glitches = classes, Injections = _spec.IndexOf(DetectorSpec.Chirp) >= 0 ? chirp : null });
        _populations[(curve, snrFloor)] = p;
        return p;
    }

    public void Dispose()
    {
        foreach (var c in _curves) c.Noise.Dispose();
        _device.Dispose();
    }
}
