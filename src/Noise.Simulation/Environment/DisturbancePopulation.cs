using Noise.Core;
using Noise.Simulation.Transients;

namespace Noise.Simulation.Environment;

/// <summary>One disturbance as drawn: family, GPS reference time, amplitude at the witness, frequency, duration.</summary>
public sealed record DisturbanceDraw(DisturbanceSpec Spec, long Id, double Time, double Amplitude, double Frequency, double Duration, double Phase, CounterRng Rng)
{
    /// <summary>Gaussian envelope width: the envelope exp(-(t/tau)^2) has fallen to 1/e^4 at +-duration/2.</summary>
    public double Tau => Duration / 4;
}

/// <summary>A disturbance placed on its witness channel's grid and, when it couples, on the strain's.</summary>
public sealed record PlacedDisturbance(DisturbanceDraw Draw, WitnessSpec Witness, PlacedEvent OnWitness, PlacedEvent? OnStrain);

/// <summary>
/// The scenario's external disturbances as a pure function of (seed, GPS time), in fixed arrival windows like
/// <see cref="GlitchPopulation"/>. Each is drawn in its witness channel (seismometer, microphone,
/// magnetometer, at the witness's own rate) and coupled into the strain by its family's law
/// (<see cref="DisturbanceFamilies"/>): linear (strain = coupling x witness signal, a flat transfer function)
/// for thunder and magnetic pulses; scattered light for trucks, where the ground motion the seismometer
/// records moves a scattering surface and draws fringe arches at 2 n |v_surface(t)| / lambda. Whether the
/// witness "saw" an event is decided by its optimal SNR against the witness's own floor (at least
/// <see cref="WitnessSnrThreshold"/>), so some coupled glitches have a witness and some do not.
/// </summary>
public sealed class DisturbancePopulation : ITransientSource
{
    public const int WindowSeconds = 64;
    /// <summary>A witness lists an event when the event's optimal SNR in that channel reaches this.</summary>
    public const double WitnessSnrThreshold = 5;
    private readonly Scenario _scenario;
    private readonly TransientMeasure _measure;
    private readonly int _reachSeconds;
    private readonly Dictionary<long, List<PlacedDisturbance>> _cache = [];

    public DisturbancePopulation(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        _measure = new TransientMeasure(scenario);
        _reachSeconds = (int)Math.Ceiling(scenario.Disturbances.Select(d => d.Duration.Max).DefaultIfEmpty(0).Max()) + 2;
    }

    /// <summary>Window w's draws for the scenario's families (or only <paramref name="family"/>), without rendering.</summary>
    public static IEnumerable<DisturbanceDraw> Draws(Scenario scenario, long w, string? family = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        foreach (var spec in scenario.Disturbances)
        {
            if (spec.RatePerHour <= 0 || (family is not null && spec.Name != family)) continue;
            uint familyId = (uint)DisturbanceFamilies.IndexOf(spec.Name);
            var rng = new CounterRng(scenario.Seed, 0xD157A000u + familyId, (uint)w, (uint)((ulong)w >> 32));
            int n = rng.Poisson(spec.RatePerHour * WindowSeconds / 3600.0);
            for (int k = 0; k < n; k++)
            {
                var e = new CounterRng(scenario.Seed, 0xD157B000u + familyId, (uint)w, (uint)(k + 1) | ((uint)((ulong)w >> 32) << 16));
                double t = (w + e.NextUniform()) * WindowSeconds;
                yield return new DisturbanceDraw(spec, (w << 16) | ((long)(familyId + 40) << 10) | (long)k, t,
                    spec.Amplitude.LogLerp(e.NextUniform()), spec.Frequency.LogLerp(e.NextUniform()),
                    spec.Duration.LogLerp(e.NextUniform()), e.Uniform(0, 2 * Math.PI), e);
            }
        }
    }

    /// <summary>Strain transients overlapping strain samples [first, end): the coupled disturbances.</summary>
    public List<PlacedEvent> Overlapping(long first, long end)
    {
        long fs = _scenario.SampleRate;
        var list = new List<PlacedEvent>();
        foreach (var d in Around(SampleMath.FloorDiv(first, fs), SampleMath.CeilDiv(end, fs)))
            if (d.OnStrain is { } e && e.EndSample > first && e.FirstSample < end) list.Add(e);
        return list;
    }

    /// <summary>The transients of one witness channel, on its own sample grid.</summary>
    public ITransientSource ForWitness(WitnessSpec witness) => new WitnessSource(this, witness);

    /// <summary>
    /// Catalogue rows for GPS [from, to) (by peak time): the coupled glitches as the strain shows them, and every
    /// disturbance as its witness saw it (kind "environment", channel = the witness).
    /// </summary>
    public List<TransientEvent> Catalogue(GpsTime from, GpsTime to)
    {
        var rows = new List<TransientEvent>();
        foreach (var d in Around(from.Seconds, to.Seconds + 1))
        {
            foreach (var row in new[] { d.OnWitness.Event, d.OnStrain?.Event })
                if (row is not null && row.PeakTime.CompareTo(from) >= 0 && row.PeakTime.CompareTo(to) < 0) rows.Add(row);
        }
        rows.Sort((a, b) => a.PeakTime.CompareTo(b.PeakTime));
        return rows;
    }

    /// <summary>Disturbances whose support may reach GPS seconds [t0, t1).</summary>
    private IEnumerable<PlacedDisturbance> Around(long t0, long t1)
    {
        long w0 = SampleMath.FloorDiv(t0 - _reachSeconds, WindowSeconds);
        long w1 = SampleMath.FloorDiv(t1 + _reachSeconds, WindowSeconds);
        lock (_cache)
        {
            foreach (var old in _cache.Keys.Where(k => k < w0 - 64).ToList()) _cache.Remove(old);
        }
        for (long w = w0; w <= w1; w++)
            foreach (var d in Window(w)) yield return d;
    }

    private List<PlacedDisturbance> Window(long w)
    {
        lock (_cache)
        {
            if (_cache.TryGetValue(w, out var cached)) return cached;
        }
        var draws = Draws(_scenario, w).ToList();
        var placed = new PlacedDisturbance[draws.Count];
        Parallel.For(0, draws.Count, i => placed[i] = Place(draws[i]));
        var list = placed.ToList();
        lock (_cache) _cache[w] = list;
        return list;
    }

    private PlacedDisturbance Place(DisturbanceDraw d)
    {
        var witness = _scenario.Witnesses.First(x => x.Kind == d.Spec.Witness);
        // in the witness: a sine-Gaussian of the drawn amplitude (ground velocity, pressure, field); thunder is
        // a rumble of several
        var shape = WitnessShape(d);
        int fw = witness.SampleRate;
        var wAtoms = AtomPlacement.Place(shape, d.Time, fw, out long wlo, out long whi);
        var w = TransientMeasure.Render(wAtoms, wlo, whi, fw);
        double energy = 0, peak = 0;
        foreach (var v in w) { energy += v * v; peak = Math.Max(peak, Math.Abs(v)); }
        // optimal SNR against a white floor S0 = floor^2 (one-sided): rho^2 = (2 / S0) * integral w^2 dt
        double witnessSnr = Math.Sqrt(2 * energy / fw) / witness.Floor;
        var witnessRow = new TransientEvent
        {
            EventId = d.Id,
            Ifo = _scenario.Detector,
            Channel = witness.Name,
            Class = d.Spec.Name,
            Kind = "environment",
            PeakTime = Gps(d.Time),
            StartTime = Gps(d.Time - d.Duration / 2),
            Duration = d.Duration,
            CentralFrequency = d.Frequency,
            PeakFrequency = d.Frequency,
            Bandwidth = double.NaN,
            Q = double.NaN,
            Snr = witnessSnr,
            Hrss = Math.Sqrt(energy / fw),
            Amplitude = peak,
            Cause = d.Spec.Name,
        };
        var onWitness = new PlacedEvent(witnessRow, wAtoms, wlo, whi, Array.ConvertAll(w, v => (float)v));

        var strainShape = StrainShape(d, shape);
        if (strainShape.Count == 0) return new PlacedDisturbance(d, witness, onWitness, null);
        int fs = _scenario.SampleRate;
        var atoms = AtomPlacement.Place(strainShape, d.Time, fs, out long lo, out long hi);
        // Scattered-light trains last up to a minute; rendering and transforming them at 16 kHz would cost more
        // than the strain itself. Their content lies far below the strain's Nyquist frequency, so they are
        // measured at the lowest power-of-two fraction of the rate that keeps 4x headroom above their highest
        // frequency (the SNR integral loses nothing there), and the peak amplitude is refined at the full rate.
        int r = MeasureRate(fs, strainShape.Max(a => (double)a.Atom.Frequency));
        var atomsR = AtomPlacement.Place(strainShape, d.Time, r, out long loR, out long hiR);
        var hR = TransientMeasure.Render(atomsR, loR, hiR, r);
        var m = _measure.Measure(hR, r);
        if (!(m.Snr > 1e-300)) return new PlacedDisturbance(d, witness, onWitness, null);
        double amplitude = m.Amplitude;
        if (r != fs)
        {
            int at = 0;
            for (int i = 1; i < hR.Length; i++) if (Math.Abs(hR[i]) > Math.Abs(hR[at])) at = i;
            long c = SampleMath.FloorDiv((loR + at) * (long)fs, r), span = 2L * fs / r;
            long a0 = Math.Max(lo, c - span), a1 = Math.Min(hi, c + span);
            foreach (var v in TransientMeasure.Render(atoms, a0, a1, fs)) amplitude = Math.Max(amplitude, Math.Abs(v));
        }
        var row = new TransientEvent
        {
            EventId = d.Id | (1L << 62),
            Ifo = _scenario.Detector,
            Channel = _scenario.Channel,
            Class = DisturbanceFamilies.StrainClassOf(d.Spec.Name)!,
            Kind = "glitch",
            PeakTime = witnessRow.PeakTime,
            StartTime = GpsTime.FromSampleIndex(loR + m.StartOffset, r),
            Duration = m.Duration,
            CentralFrequency = m.Central,
            PeakFrequency = m.Peak,
            Bandwidth = m.Bandwidth,
            Q = double.NaN,
            Snr = m.Snr,
            Hrss = m.Hrss,
            Amplitude = amplitude,
            Witnesses = witnessSnr >= WitnessSnrThreshold ? witness.Name : "",
            Cause = d.Spec.Name,
        };
        return new PlacedDisturbance(d, witness, onWitness, new PlacedEvent(row, atoms, lo, hi));
    }

    /// <summary>fs / 2^k for the largest k with rate/2 at least 4 fMax and rate at least 1024 Hz (fs itself when it is smaller).</summary>
    internal static int MeasureRate(int fs, double fMax)
    {
        int r = fs;
        while (r % 2 == 0 && r / 2 >= 1024 && r / 4 >= 4 * fMax) r /= 2;
        return r;
    }

    private static List<(double Offset, TransientAtom Atom)> WitnessShape(DisturbanceDraw d)
    {
        var list = new List<(double, TransientAtom)>();
        if (d.Spec.Name == "Thunder")
        {
            // a rumble: 3-6 bursts spread over the duration, each at its own frequency in the band
            var rng = d.Rng;
            int n = 3 + (int)(rng.NextUniform() * 4);
            for (int i = 0; i < n; i++)
            {
                double f = d.Spec.Frequency.LogLerp(rng.NextUniform());
                list.Add((rng.Uniform(-d.Duration / 3, d.Duration / 3), Sg(d.Amplitude * rng.Uniform(0.3, 1), f, d.Duration / 6 * rng.Uniform(0.5, 1), rng.Uniform(0, 2 * Math.PI))));
            }
            return list;
        }
        list.Add((0, Sg(d.Amplitude, d.Frequency, d.Tau, d.Phase)));
        return list;
    }

    /// <summary>What the disturbance puts into the strain, relative to its reference time (empty: nothing).</summary>
    private List<(double Offset, TransientAtom Atom)> StrainShape(DisturbanceDraw d, List<(double Offset, TransientAtom Atom)> witness)
    {
        var list = new List<(double, TransientAtom)>();
        switch (d.Spec.Name)
        {
            case "Thunder" or "Magnetic_Pulse":
                // linear coupling with a flat transfer function: the witness signal times the coupling
                foreach (var (off, a) in witness)
                {
                    if (a.Frequency < _scenario.FLow) continue;
                    list.Add((off, a with { Amplitude = (float)(a.Amplitude * d.Spec.Coupling) }));
                }
                break;
            case "Truck":
                ScatteredLight(d, list);
                break;
        }
        return list;
    }

    /// <summary>
    /// Ground velocity v(t) = A exp(-(t/tau)^2) sin(2 pi fm t + phi) moves a surface by gain x the ground
    /// displacement. Each half period of the motion, centred on a velocity extremum t_k, draws one arch whose
    /// fringe frequency peaks at 2 n gain |v(t_k)| / lambda for harmonic n; arches that never reach f_low are
    /// below the band and left out.
    /// </summary>
    private void ScatteredLight(DisturbanceDraw d, List<(double Offset, TransientAtom Atom)> list)
    {
        double fm = d.Frequency, tau = d.Tau, gain = d.Spec.Coupling;
        var rng = d.Rng;
        double[] harmonic = [1, rng.Uniform(0.1, 0.5), rng.Uniform(0.05, 0.25)];
        double phase0 = rng.Uniform(0, 2 * Math.PI);
        // extrema of sin(2 pi fm t + phi): 2 pi fm t_k + phi = pi/2 + k pi
        long k0 = (long)Math.Ceiling(((-2 * tau) * 2 * Math.PI * fm + d.Phase - Math.PI / 2) / Math.PI);
        for (long k = k0; ; k++)
        {
            double tk = (Math.PI / 2 + k * Math.PI - d.Phase) / (2 * Math.PI * fm);
            if (tk > 2 * tau) break;
            double v = d.Amplitude * Math.Exp(-(tk / tau) * (tk / tau));
            double fArch = 2 * gain * v / DisturbanceFamilies.Wavelength;
            double sign = (k & 1) == 0 ? 1 : -1;
            for (int n = 1; n <= harmonic.Length; n++)
            {
                if (n * fArch < _scenario.FLow || n * fArch >= _scenario.SampleRate / 2.0) continue;
                list.Add((tk, new TransientAtom
                {
                    Shape = (int)AtomShape.Fringe,
                    Amplitude = (float)(sign * d.Spec.FringeAmplitude * harmonic[n - 1]),
                    Frequency = (float)(n * fArch),
                    Param = (float)fm,
                    Phase = (float)(sign * phase0 * n),
                }));
            }
        }
    }

    private static GpsTime Gps(double t) => GpsTime.FromDecimal(Math.Round((decimal)t, 6));

    private static TransientAtom Sg(double amp, double f, double tau, double phase) => new()
    {
        Shape = (int)AtomShape.SineGaussian,
        Amplitude = (float)amp,
        Frequency = (float)f,
        Tau = (float)tau,
        Phase = (float)phase,
    };

    private sealed class WitnessSource(DisturbancePopulation owner, WitnessSpec witness) : ITransientSource
    {
        public List<PlacedEvent> Overlapping(long first, long end)
        {
            int fw = witness.SampleRate;
            var list = new List<PlacedEvent>();
            foreach (var d in owner.Around(SampleMath.FloorDiv(first, fw), SampleMath.CeilDiv(end, fw)))
                if (d.Witness.Name == witness.Name && d.OnWitness.EndSample > first && d.OnWitness.FirstSample < end) list.Add(d.OnWitness);
            return list;
        }
    }
}
