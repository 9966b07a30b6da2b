using ILGPU;
using ILGPU.Runtime;
using Noise.Core;
using Noise.Simulation.Transients;

namespace Noise.Simulation.Tests;

public class GlitchTests
{
    /// <summary>O3 noise curve with every glitch family on at a high rate.</summary>
    private static Scenario AllFamilies(double ratePerHour = 90) => Sim.O3() with
    {
        Glitches = GlitchFamilies.Defaults.Select(d => d with { RatePerHour = ratePerHour }).ToList(),
    };

    [Fact]
    public void SnrRecomputedFromTheSamplesMatchesTheCatalogueForEveryClass()
    {
        var s = AllFamilies();
        const double seconds = 1800;
        var x = Sim.Run(s, 0, seconds, components: SignalComponents.Glitches);
        var pop = new GlitchPopulation(s);
        long first = s.GpsStart.ToSampleIndex(s.SampleRate);
        var seen = new HashSet<string>();
        foreach (var (e, h) in Sim.IsolatedEvents(pop, x, first))
        {
            var m = pop.Measure(h, s.SampleRate);
            Assert.True(Math.Abs(m.Snr / e.Event.Snr - 1) < 0.02, $"{e.Event.Class}: SNR from samples {m.Snr:F3}, catalogue {e.Event.Snr:F3}");
            seen.Add(e.Event.Class);
        }
        Assert.Equal(GlitchFamilies.Names.OrderBy(n => n), seen.OrderBy(n => n));
    }

    [Fact]
    public void ArrivalsArePoissonAtTheConfiguredRates()
    {
        var s = AllFamilies(ratePerHour: 60);
        var pop = new GlitchPopulation(s);
        long first = s.GpsStart.ToSampleIndex(s.SampleRate);
        const double hours = 10;
        var rows = pop.Arrivals(first, first + (long)(hours * 3600 * s.SampleRate));
        foreach (var g in rows.GroupBy(r => r.Class))
        {
            double expected = 60 * hours, sigma = Math.Sqrt(expected);
            Assert.True(Math.Abs(g.Count() - expected) < 4 * sigma, $"{g.Key}: {g.Count()} events, expected {expected} +- {sigma:F0}");
            // Poisson: counts per minute have variance equal to their mean (index of dispersion 1 +- 0.06)
            int bins = (int)(hours * 60);
            var perMinute = new double[bins];
            foreach (var r in g) perMinute[(int)((r.Time - s.GpsStart.Seconds) / 60)]++;
            double mean = perMinute.Average(), variance = perMinute.Sum(c => (c - mean) * (c - mean)) / (bins - 1);
            Assert.InRange(variance / mean, 0.75, 1.25);
        }
        Assert.Equal(GlitchFamilies.Defaults.Count, rows.Select(r => r.Class).Distinct().Count());
        // the arrivals are the catalogue's events: same times for a stretch where both are computed
        var hourOfEvents = pop.Catalogue(first, first + 3600L * s.SampleRate).Select(e => e.Class).OrderBy(c => c, StringComparer.Ordinal);
        var hourOfArrivals = pop.Arrivals(first, first + 3600L * s.SampleRate).Select(a => a.Class).OrderBy(c => c, StringComparer.Ordinal);
        Assert.Equal(hourOfArrivals, hourOfEvents);
    }

    [Fact]
    public void SnrsFollowThePowerLawAndStayInRange()
    {
        // the sampler: p(rho) ~ rho^-2.5 on [6.5, 200] gives P(rho > 13) = (13^-1.5 - 200^-1.5) / (6.5^-1.5 - 200^-1.5)
        var rng = new CounterRng(5, 1, 2, 3);
        var draws = Enumerable.Range(0, 100_000).Select(_ => rng.PowerLaw(6.5, 200, 2.5)).ToList();
        double expectedAbove13 = (Math.Pow(13, -1.5) - Math.Pow(200, -1.5)) / (Math.Pow(6.5, -1.5) - Math.Pow(200, -1.5));
        Assert.InRange(draws.Count(r => r > 13) / 1e5, expectedAbove13 - 0.005, expectedAbove13 + 0.005);
        Assert.All(draws, r => Assert.InRange(r, 6.5, 200));
        // the catalogue: SNRs within the class range, loud ones rarer than quiet ones
        var s = Sim.O3() with { Glitches = [GlitchFamilies.Default("Blip") with { RatePerHour = 600, Snr = new ParamRange(6.5, 200), SnrPower = 2.5 }] };
        long first = s.GpsStart.ToSampleIndex(s.SampleRate);
        var rows = new GlitchPopulation(s).Catalogue(first, first + 3600L * s.SampleRate);
        Assert.InRange(rows.Count, 500, 700);
        Assert.All(rows, r => Assert.InRange(r.Snr, 6.5, 200));
        Assert.InRange(rows.Count(r => r.Snr > 13) / (double)rows.Count, expectedAbove13 - 0.08, expectedAbove13 + 0.08);
    }

    [Fact]
    public void MeasuredFrequenciesAndDurationsFallInEachClassRanges()
    {
        var s = AllFamilies(ratePerHour: 60);
        var rows = new GlitchPopulation(s).Catalogue(s.GpsStart.ToSampleIndex(s.SampleRate), s.GpsStart.ToSampleIndex(s.SampleRate) + 3L * 3600 * s.SampleRate);
        foreach (var g in rows.GroupBy(r => r.Class))
        {
            var spec = GlitchFamilies.Default(g.Key);
            double medianCentral = Median(g.Select(r => r.CentralFrequency));
            double medianDuration = Median(g.Select(r => r.Duration));
            switch (g.Key)
            {
                case "Gaussian":
                    Assert.InRange(medianDuration, spec.Duration.Min, spec.Duration.Max * 2);
                    break;
                case "Scattered_Light":
                    // arches at harmonics of 15-45 Hz, lasting a good part of the half motion period
                    Assert.InRange(medianCentral, spec.Frequency.Min * 0.5, spec.Frequency.Max * 3);
                    Assert.InRange(medianDuration, spec.Duration.Min * 0.3, spec.Duration.Max);
                    break;
                case "Whistle":
                    Assert.InRange(medianCentral, spec.Frequency.Min, spec.Frequency.Max * 6);
                    Assert.InRange(medianDuration, spec.Duration.Min * 0.25, spec.Duration.Max);
                    break;
                case "Repeating_Blips":
                    Assert.InRange(medianDuration, spec.Duration.Min, spec.Duration.Max * 6);
                    break;
                case "Koi_Fish":
                    Assert.InRange(medianDuration, 0.005, spec.Duration.Max);
                    break;
                default:
                    // sine-Gaussians: whitened central frequency near f0, short
                    Assert.InRange(medianCentral, spec.Frequency.Min / 1.5, spec.Frequency.Max * 1.5);
                    break;
            }
        }
    }

    /// <summary>
    /// On the CPU the strain gets each event's samples as the host rendered them to measure its SNR; CUDA evaluates
    /// the scaled atoms instead. Both must draw the same waveform.
    /// </summary>
    [Fact]
    public void RenderedEventsMatchTheirScaledAtoms()
    {
        var s = AllFamilies();
        const double seconds = 600;
        var x = Sim.Run(s, 0, seconds, components: SignalComponents.Glitches);
        var pop = new GlitchPopulation(s);
        long first = s.GpsStart.ToSampleIndex(s.SampleRate);
        int checkedEvents = 0;
        foreach (var (e, h) in Sim.IsolatedEvents(pop, x, first))
        {
            Assert.NotNull(e.Samples);
            var atoms = TransientMeasure.Render(e.Atoms, e.FirstSample, e.EndSample, s.SampleRate);
            double num = 0, den = 0;
            for (int i = 0; i < h.Length; i++) { num += Math.Pow(h[i] - atoms[i], 2); den += atoms[i] * atoms[i]; }
            Assert.True(Math.Sqrt(num / den) < 1e-5, $"{e.Event.Class}: relative RMS difference {Math.Sqrt(num / den):E2}");
            checkedEvents++;
        }
        Assert.True(checkedEvents > 10, $"only {checkedEvents} isolated events");
    }

    [Fact]
    public void GlitchesKeepTheDeterminismContract()
    {
        var s = AllFamilies(ratePerHour: 200);
        var whole = Sim.Run(s, 0, 96, block: 64);
        var parts = Sim.Run(s, 0, 40, block: 5).Concat(Sim.Run(s, 40, 56, block: 17, threads: 1)).ToArray();
        Assert.Equal(whole, parts);
        var noiseOnly = Sim.Run(s, 0, 96, components: SignalComponents.Noise);
        Assert.NotEqual(whole, noiseOnly);
    }

    private static double Median(IEnumerable<double> v)
    {
        var a = v.OrderBy(x => x).ToArray();
        return a[a.Length / 2];
    }
}

public class InjectionTests
{
    [Fact]
    public void ChirpsAreScaledToTheirSnrAndLabelledAstrophysical()
    {
        var s = Sim.O3() with { Injections = GlitchFamilies.Injection with { RatePerHour = 120, ChirpMass = new ParamRange(8, 30) } };
        var x = Sim.Run(s, 0, 600, components: SignalComponents.Injections);
        var pop = new GlitchPopulation(s, SignalComponents.Injections);
        long first = s.GpsStart.ToSampleIndex(s.SampleRate);
        int checkedEvents = 0;
        Assert.All(pop.Overlapping(first, first + x.Length), e => Assert.Equal(("astrophysical", "CBC_Chirp"), (e.Event.Kind, e.Event.Class)));
        foreach (var (e, h) in Sim.IsolatedEvents(pop, x, first))
        {
            var m = pop.Measure(h, s.SampleRate);
            Assert.True(Math.Abs(m.Snr / e.Event.Snr - 1) < 0.02, $"SNR from samples {m.Snr:F3}, catalogue {e.Event.Snr:F3}");
            // the frequency rises towards coalescence (the end of the support)
            int n = h.Length;
            double early = ZeroCrossingRate(h.AsSpan(n / 8, n / 8)), late = ZeroCrossingRate(h.AsSpan(n - n / 4, n / 8));
            Assert.True(late > 1.5 * early, $"zero crossings per sample early {early:F4}, late {late:F4}");
            checkedEvents++;
        }
        Assert.True(checkedEvents >= 3, $"{checkedEvents} isolated chirps checked");
    }

    [Fact]
    public void AHeavyChirpEndsInARingdownAtTheRemnantsFrequency()
    {
        // GW150914-like: chirp mass 30 (equal masses, 69 in all), remnant ringdown 0.53 / (2 pi 0.95 M) = 253 Hz
        var spec = GlitchFamilies.Injection with { ChirpMass = new ParamRange(30, 30) };
        var (atoms, _) = GlitchWaveforms.Draw(spec, new CounterRng(7, 1, 2, 3));
        var a = Assert.Single(atoms).Atom;
        double fRing = 0.53 / (2 * Math.PI * 0.95 * Math.Pow(2, 1.2) * 30 * 4.925490947e-6);
        Assert.InRange(a.Frequency, 0.99 * fRing, 1.01 * fRing);
        Assert.InRange(fRing, 240, 265);
        const double rate = 65536;
        var (before, after) = GlitchWaveforms.Support(a);
        int n0 = (int)(0.5 * rate), n1 = (int)(after * rate);
        var t = Enumerable.Range(-n0, n0 + n1).Select(i => i / rate).ToArray();
        var h = t.Select(x => (double)TransientAtom.Evaluate(a, (float)x)).ToArray();
        // the envelope peaks at the joint, 5.4 Mc (0.8 ms) before the reference time: the loudest sample is within half a cycle of it
        int peak = 0;
        for (int i = 1; i < h.Length; i++) if (Math.Abs(h[i]) > Math.Abs(h[peak])) peak = i;
        Assert.InRange(a.Param2, 0.0007, 0.0009);
        Assert.InRange(t[peak], -a.Param2 - 0.5 / fRing, -a.Param2 + 0.5 / fRing);
        // continuous across the joint (one sample step at 65 kHz moves a 253 Hz wave by at most 2.5 % of its amplitude)
        int joint = Array.FindIndex(t, x => x > -a.Param2);
        double amp = h.Max(Math.Abs);
        Assert.True(Math.Abs(h[joint] - h[joint - 1]) < 0.03 * amp, $"step at the joint {Math.Abs(h[joint] - h[joint - 1]) / amp:F3} of the peak");
        // rings at the remnant's frequency: zero crossings over the first four e-folding times after the joint
        double tauRing = TransientAtom.RingdownCycles / (Math.PI * a.Frequency);
        var ring = h.AsSpan(joint, (int)(4 * tauRing * rate));
        Assert.InRange(ZeroCrossingRate(ring) * rate / 2, 0.9 * fRing, 1.1 * fRing);
        // and is gone at the end of its support; before it, the inspiral's frequency was far lower
        Assert.True(Math.Abs(h[^1]) < 1e-6 * amp);
        var inspiral = h.AsSpan(joint - (int)(0.1 * rate), (int)(0.02 * rate));
        Assert.True(ZeroCrossingRate(inspiral) * rate / 2 < 0.5 * fRing);
        // from 20 Hz, the inspiral lasts 5 Mc (8 pi Mc 20 Hz)^(-8/3) = 0.75 s
        Assert.InRange(before, 0.7, 0.8);
    }

    /// <summary>
    /// CUDA draws events from their atoms with the transient kernel (the CPU adds the host's rendering): run that
    /// kernel on ILGPU's CPU accelerator for chirps, ringdown included, and compare it with the host's samples.
    /// </summary>
    [Fact]
    public void TheAtomKernelDrawsChirpsAsTheHostRendersThem()
    {
        var s = Sim.O3() with { Injections = GlitchFamilies.Injection with { RatePerHour = 120, ChirpMass = new ParamRange(20, 40) } };
        var pop = new GlitchPopulation(s, SignalComponents.Injections);
        int fs = s.SampleRate;
        long first = s.GpsStart.ToSampleIndex(fs), end = first + 300L * fs;
        var events = pop.Overlapping(first, end).Where(e => e.FirstSample >= first && e.EndSample <= end).Take(3).ToList();
        Assert.True(events.Count == 3, $"{events.Count} chirps inside the first 300 s");
        using var dev = ComputeDevice.Create(DeviceChoice.Cpu, 2);
        foreach (var e in events)
        {
            using var adder = new TransientAdder(dev, fs, [new OneEvent(e with { Samples = null })]);
            long length = e.EndSample - e.FirstSample;
            using var buffer = dev.Accelerator.Allocate1D<float>(length);
            buffer.MemSetToZero();
            adder.Add(buffer.View, e.FirstSample, length);
            dev.Accelerator.Synchronize();
            var kernel = buffer.GetAsArray1D();
            var host = e.Samples!;
            double num = 0, den = 0;
            for (int i = 0; i < host.Length; i++) { num += Math.Pow(kernel[i] - host[i], 2); den += (double)host[i] * host[i]; }
            Assert.True(den > 0 && Math.Sqrt(num / den) < 1e-5, $"relative RMS difference {Math.Sqrt(num / den):E2}");
        }
    }

    private sealed class OneEvent(PlacedEvent e) : ITransientSource
    {
        public List<PlacedEvent> Overlapping(long first, long end) => e.FirstSample < end && e.EndSample > first ? [e] : [];
    }

    private static double ZeroCrossingRate(ReadOnlySpan<double> h)
    {
        int c = 0;
        for (int i = 1; i < h.Length; i++) if (Math.Sign(h[i]) != Math.Sign(h[i - 1])) c++;
        return c / (double)h.Length;
    }
}
