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

    /// <summary>
    /// The IMRPhenomA coefficients against physics they were not fitted to: the ringdown frequency against the
    /// l = m = 2 quasi-normal mode of the remnant (Berti, Cardoso and Will 2006 fit, remnant mass and spin from the
    /// non-spinning fits of Healy et al. / Buonanno et al.: M_f = M (1 - 0.0572 eta - 0.498 eta^2), a_f = 2 sqrt(3) eta
    /// - 3.871 eta^2 + 4.028 eta^3), and the inspiral's stationary-phase duration against the 2PN time to coalescence.
    /// </summary>
    [Theory]
    [InlineData(36.0, 29.0)]
    [InlineData(31.0, 20.0)]
    [InlineData(10.0, 10.0)]
    [InlineData(7.0, 5.0)]
    [InlineData(30.0, 12.0)]
    public void ImrPhenomAAgreesWithTheRingdownModeAndThePostNewtonianInspiral(double m1, double m2)
    {
        var c = ImrPhenomA.For(m1, m2);
        double m = (m1 + m2) * GlitchWaveforms.SolarMassSeconds, eta = m1 * m2 / Math.Pow(m1 + m2, 2);
        double aF = 2 * Math.Sqrt(3) * eta - 3.871 * eta * eta + 4.028 * eta * eta * eta;
        double mF = m * (1 - 0.0572 * eta - 0.498 * eta * eta);
        double fQnm = (1.5251 - 1.1568 * Math.Pow(1 - aF, 0.1292)) / (2 * Math.PI * mF);
        // PhenomA's f_ring is a fitted Lorentzian centre, known to sit ~10 % below the mode
        Assert.InRange(c.FRing / fQnm, 0.8, 1.05);
        Assert.True(c.FMerger < c.FRing && c.FRing < c.FCut && c.Sigma > 0);
        // deep in the inspiral, at the frequency where v = (pi M f)^1/3 = 0.18, PhenomA's time from there to its merger
        // frequency is within 6 % of the 2PN time to coalescence (the model's phase is fitted to PN-NR hybrids)
        double v = 0.18, v2 = v * v, f = v * v2 / (Math.PI * m);
        double pn = 5.0 / 256 * m / (eta * Math.Pow(v, 8)) * (1 + (743.0 / 252 + 11.0 / 3 * eta) * v2 - 32.0 / 5 * Math.PI * v2 * v
            + (3058673.0 / 508032 + 5429.0 / 504 * eta + 617.0 / 72 * eta * eta) * v2 * v2);
        double phenom = ImrPhenomA.StationaryTime(c, c.FMerger) - ImrPhenomA.StationaryTime(c, f);
        Assert.InRange(phenom / pn, 0.94, 1.06);
    }

    /// <summary>
    /// A GW150914-like binary (36 + 29 Msun) rendered in the time domain: it chirps up, peaks where it says (the
    /// sub-sample fraction included), rings down at f_ring, starts and ends smoothly, and its spectrum is the
    /// model's |h~(f)| over the band (the cut and tapers do not distort it).
    /// </summary>
    [Fact]
    public void ARenderedImrPhenomAWaveformKeepsTheModelsSpectrumAndEndsInItsRingdown()
    {
        const int fs = 16384;
        var c = ImrPhenomA.For(36, 29);
        var w = ImrPhenomA.Render(36, 29, 20, fs, 0.4, 0.0);
        var h = w.Samples;
        int p = w.PeakIndex;
        double amp = h.Max(Math.Abs);
        Assert.InRange(amp, 0.9, 1.0);   // unit envelope at the peak
        // the loudest sample is within half a ringdown cycle of the peak
        int loudest = Array.FindIndex(h, x => Math.Abs(x) == amp);
        Assert.InRange(loudest - p, -0.5 * fs / c.FRing, 0.5 * fs / c.FRing);
        // chirps up: from ~20 Hz a second before to the ringdown after the peak
        double early = ZeroCrossingRate(h.AsSpan(p - fs, fs / 10)) * fs / 2, late = ZeroCrossingRate(h.AsSpan(p - fs / 25, fs / 33)) * fs / 2;
        Assert.InRange(early, 17, 30);
        Assert.True(late > 2.5 * early, $"{early:F0} Hz a second before the peak, {late:F0} Hz 10-40 ms before");
        double tauRing = 1 / (Math.PI * c.Sigma);
        double ring = ZeroCrossingRate(h.AsSpan(p + (int)(0.5 * tauRing * fs), (int)(3 * tauRing * fs))) * fs / 2;
        Assert.InRange(ring / c.FRing, 0.9, 1.1);
        Assert.True(Math.Abs(h[0]) < 1e-5 && Math.Abs(h[^1]) < 1e-6, $"ends {h[0]:E1}, {h[^1]:E1}");
        // the kept support: from below 20 Hz to the ringdown's end
        Assert.InRange((double)p / fs, ImrPhenomA.StationaryTime(c, c.FMerger) - ImrPhenomA.StationaryTime(c, 20), ImrPhenomA.SecondsBeforePeak(36, 29, 20));

        // spectrum: |H(f)| / A(f) flat within 5 % from 25 Hz to 0.9 f_cut
        int n = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)h.Length * 2);
        var x = new double[n];
        h.CopyTo(x, 0);
        var bins = new double[n + 2];
        new RealFft<double>(n).Forward(x, bins);
        double df = (double)fs / n;
        var ratios = new List<double>();
        for (int k = (int)(25 / df); k < 0.9 * c.FCut / df; k++)
            ratios.Add(Math.Sqrt(bins[2 * k] * bins[2 * k] + bins[2 * k + 1] * bins[2 * k + 1]) / ImrPhenomA.Amplitude(c, k * df));
        // averaged over 2 Hz bands: the finite-length transform's bin-to-bin ripple is not the model's
        int band = (int)(2 / df);
        var smooth = Enumerable.Range(0, ratios.Count / band).Select(b => ratios.Skip(b * band).Take(band).Average()).ToList();
        double median = smooth.Order().ElementAt(smooth.Count / 2);
        Assert.All(smooth, r => Assert.InRange(r / median, 0.95, 1.05));

        // a fraction of a sample moves the waveform by that fraction: peaking half a sample after its PeakIndex, its
        // sample at PeakIndex + j is the unshifted waveform half a sample before p + j, the mean of its neighbours there
        // (to linear interpolation's accuracy, ~1e-3 at the ringdown's 250 Hz)
        var half = ImrPhenomA.Render(36, 29, 20, fs, 0.4, 0.5);
        int offset = half.PeakIndex - p;
        double num = 0, den = 0;
        for (int i = p - fs / 4; i < p + fs / 20; i++)
        {
            double mid = 0.5 * (h[i - 1] + h[i]);
            num += Math.Pow(half.Samples[i + offset] - mid, 2);
            den += mid * mid;
        }
        Assert.True(Math.Sqrt(num / den) < 0.02, $"half-sample shift off by {Math.Sqrt(num / den):E2} (relative RMS)");
    }

    /// <summary>
    /// CUDA evaluates glitch atoms on the device and uploads only the sampled chirps; run that route on ILGPU's CPU
    /// accelerator and compare with the host route the CPU takes: the chirps' samples are the same bits.
    /// </summary>
    [Fact]
    public void TheDeviceRouteAddsChirpsAndGlitchesAsTheHostRouteDoes()
    {
        var s = Sim.O3() with
        {
            Injections = GlitchFamilies.Injection with { RatePerHour = 120, ChirpMass = new ParamRange(20, 40) },
            Glitches = [GlitchFamilies.Default("Blip") with { RatePerHour = 300 }],
        };
        var pop = new GlitchPopulation(s);
        int fs = s.SampleRate;
        long first = s.GpsStart.ToSampleIndex(fs), length = 300L * fs;
        var events = pop.Overlapping(first, first + length);
        Assert.True(events.Count(e => e.Event.Class == "CBC_Chirp") >= 3 && events.Count(e => e.Event.Class == "Blip") >= 3,
            $"{events.Count} events in the first 300 s");
        using var dev = ComputeDevice.Create(DeviceChoice.Cpu, 2);
        float[] Run(bool onHost, Func<PlacedEvent, bool> which)
        {
            using var adder = new TransientAdder(dev, fs, [new Events(events.Where(which).ToList())], onHost);
            using var buffer = dev.Accelerator.Allocate1D<float>(length);
            buffer.MemSetToZero();
            // two blocks, cut inside an event: each route must stitch it
            adder.Add(buffer.View.SubView(0, length / 2), first, length / 2);
            adder.Add(buffer.View.SubView(length / 2, length - length / 2), first + length / 2, length - length / 2);
            dev.Accelerator.Synchronize();
            return buffer.GetAsArray1D();
        }
        Assert.Equal(Run(true, e => e.Event.Class == "CBC_Chirp"), Run(false, e => e.Event.Class == "CBC_Chirp"));
        var host = Run(true, _ => true);
        var device = Run(false, _ => true);
        double num = 0, den = 0;
        for (int i = 0; i < host.Length; i++) { num += Math.Pow(device[i] - host[i], 2); den += (double)host[i] * host[i]; }
        Assert.True(den > 0 && Math.Sqrt(num / den) < 1e-5, $"relative RMS difference {Math.Sqrt(num / den):E2}");
    }

    private sealed class Events(List<PlacedEvent> events) : ITransientSource
    {
        public List<PlacedEvent> Overlapping(long first, long end) => events.Where(e => e.FirstSample < end && e.EndSample > first).ToList();
    }

    private static double ZeroCrossingRate(ReadOnlySpan<double> h)
    {
        int c = 0;
        for (int i = 1; i < h.Length; i++) if (Math.Sign(h[i]) != Math.Sign(h[i - 1])) c++;
        return c / (double)h.Length;
    }
}
