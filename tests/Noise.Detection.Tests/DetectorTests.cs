using Noise.Core;
using Noise.Detection.Model;
using Noise.IO;

namespace Noise.Detection.Tests;

public class DetectorTests
{
    internal static Scenario O3() => ScenarioLoader.Load(Noise.TestSupport.RepoPaths.Config("virgo-o3.yaml"));
    /// <summary>The model the repository ships.</summary>
    internal static readonly string ShippedModel = Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "models", "glitchnet-o3");

    [Fact]
    public void ATinyTrainingRunLowersTheLossWritesTheModelAndResumes()
    {
        var dir = Noise.TestSupport.RepoPaths.TempDir("noise-detector-tests");
        var reports = new List<EpochReport>();
        var options = new TrainOptions
        {
            Scenario = O3(), OutDir = dir, Epochs = 4, StepsPerEpoch = 25, BatchSize = 16, ValidationStretches = 2,
            Minutes = 1e6, Threads = 2, Seed = 3, Patience = 100,
        };
        var spec = Trainer.Run(options, reports.Add, _ => { });
        Assert.Equal([1, 2, 3, 4], reports.Select(r => r.Epoch));
        // every epoch scanned glitch-free windows for hard negatives: at most 8 per stretch, 2 stretches an epoch
        Assert.All(reports, r => Assert.InRange(r.QuietMax, 0, 1));
        Assert.All(reports, r => Assert.InRange(r.HardPool, 0, 16 * r.Epoch));
        Assert.True(reports[^1].TrainLoss < 0.9 * reports[0].TrainLoss, string.Join(", ", reports.Select(r => r.TrainLoss.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
        foreach (var f in new[] { ModelStore.SpecFile, ModelStore.WeightsFile, ModelStore.PyTorchFile, ModelStore.SafetensorsFile, Trainer.CheckpointWeights, Trainer.CheckpointState })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var (net, loaded, _) = ModelStore.Load(dir);
        net.Dispose();
        Assert.Equal(spec.Classes, loaded.Classes);
        Assert.Equal(2048, loaded.SampleRate);
        // every file went through a temporary name; none is left behind
        Assert.Empty(Directory.GetFiles(dir, ".*partial*"));

        // a rerun with a larger budget resumes after the last finished epoch, and clears what a killed run
        // (a process that no longer exists) was writing when it died
        var killed = Path.Combine(dir, "." + Trainer.CheckpointWeights + ".partial-999999-deadbeef");
        File.WriteAllText(killed, "half");
        reports.Clear();
        Trainer.Run(options with { Epochs = 5 }, reports.Add, _ => { });
        Assert.Equal([5], reports.Select(r => r.Epoch));
        Assert.False(File.Exists(killed));
    }

    [Fact]
    public void ASpectrogramBranchRunWritesAV2ModelAndCannotBeResumedAsV1()
    {
        var dir = Noise.TestSupport.RepoPaths.TempDir("noise-detector-tests");
        var options = new TrainOptions
        {
            Scenario = O3(), OutDir = dir, Epochs = 1, StepsPerEpoch = 4, BatchSize = 8, ValidationStretches = 1,
            Minutes = 1e6, Threads = 2, Seed = 5, Patience = 100, SpectrogramBranch = true,
        };
        Trainer.Run(options, _ => { }, _ => { });
        var (net, loaded, _) = ModelStore.Load(dir);
        net.Dispose();
        Assert.True(loaded.TimeFrequencyBranch);
        Assert.Equal(DetectorSpec.V2Architecture, loaded.Architecture);
        var e = Assert.Throws<NoiseInputException>(() => Trainer.Run(options with { SpectrogramBranch = false, Epochs = 2 }, _ => { }, _ => { }));
        Assert.Contains("with the spectrogram branch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EfficienciesCarryTheirWilsonInterval()
    {
        // 0 of 2: centre (0 + 1/4) / 1.5, half-width sqrt(1/16) / 1.5
        var (lo, hi) = Evaluator.WilsonInterval(0, 2);
        Assert.Equal(0, lo);
        Assert.Equal(1.0 / 3, hi, 12);
        // 15 of 22 (the model at SNR 8-10 on seed 20190402); reference values from scipy's
        // binomtest(15, 22).proportion_ci(confidence_level=0.6827, method="wilson")
        (lo, hi) = Evaluator.WilsonInterval(15, 22);
        Assert.Equal(0.57647, lo, 5);
        Assert.Equal(0.77135, hi, 5);
        (lo, hi) = Evaluator.WilsonInterval(500, 1000);
        Assert.Equal((0.48420, 0.51580), (Math.Round(lo, 5), Math.Round(hi, 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.WilsonInterval(3, 2));
    }

    [Fact]
    public void PatienceWaitsForTheLearningRateToDecay()
    {
        Assert.Equal((8.0, 6.0, Trainer.FinalSnrFloor), (Trainer.SnrFloorAt(0.1), Trainer.SnrFloorAt(0.3), Trainer.SnrFloorAt(0.5)));
        Assert.Equal(1, Trainer.LearningRateShareAt(0.45), 9);
        Assert.Equal(0.05, Trainer.LearningRateShareAt(1), 9);
        // the last stage starts at 45 % of the budget; its rate is down to half at 73.4 %: only then do stale epochs count
        Assert.False(Trainer.PatienceCountsAt(0.3));
        Assert.False(Trainer.PatienceCountsAt(0.6));
        Assert.False(Trainer.PatienceCountsAt(0.73));
        Assert.True(Trainer.PatienceCountsAt(0.74));
        Assert.True(Trainer.PatienceCountsAt(1.2));
    }

    [Fact]
    public void QuietStretchesGiveEveryWindowOfGlitchFreeNoiseLabelledNone()
    {
        var spec = new DetectorSpec { Classes = DetectorSpec.ClassesOf(O3()) };
        using var twin = new TwinWindows(O3(), 11, spec);
        var windows = twin.Quiet(0, spec.StrideSeconds);
        // 128 s less the conditioning's unusable ends (the taper's 1/16 of the stretch, 8 s, each) and one window:
        // (128 - 16 - 2) / 0.25 + 1 windows
        Assert.InRange(windows.Count, 440, 442);
        Assert.All(windows, w => Assert.Equal((spec.NoneIndex, -1f), (w.Label, w.TimeFraction)));
        Assert.All(windows.Zip(windows.Skip(1)), p => Assert.Equal(spec.StrideSeconds, p.Second.Start - p.First.Start, 6));
        var all = windows.SelectMany(w => w.Data).ToArray();
        double std = Math.Sqrt(all.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.95, 1.05);
        // a pure function of (scenario, seed, index)
        Assert.Equal(windows[100].Data, twin.Quiet(0, spec.StrideSeconds)[100].Data);
    }

    [Fact]
    public void MissingOrCorruptModelsAreClearErrors()
    {
        var dir = Noise.TestSupport.RepoPaths.TempDir("noise-detector-tests");
        Assert.Contains("no such model folder", Assert.Throws<NoiseInputException>(() => ModelStore.Load(Path.Combine(dir, "nope"))).Message, StringComparison.Ordinal);
        Assert.Contains("no model.json", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
        var spec = new DetectorSpec { Classes = ["Blip", DetectorSpec.Chirp, DetectorSpec.None] };
        using (var net = new GlitchNet(3, spec.WindowSamples)) ModelStore.Save(dir, net, spec);
        File.WriteAllBytes(Path.Combine(dir, ModelStore.WeightsFile), [1, 2, 3, 4, 5]);
        Assert.Contains("corrupt", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir, ModelStore.SpecFile), "{ not json");
        Assert.Contains("not a valid model description", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
        // weights of another shape than the description
        using (var other = new GlitchNet(5, spec.WindowSamples)) ModelStore.Save(dir, other, spec with { Classes = ["A", "B", "C", DetectorSpec.Chirp, DetectorSpec.None] });
        File.WriteAllText(Path.Combine(dir, ModelStore.SpecFile), System.Text.Json.JsonSerializer.Serialize(spec, ModelStore.Json));
        Assert.Contains("corrupt", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
        // a model from before the spectrogram branch still loads; a description asking for the branch over its weights does not
        using (var v1 = new GlitchNet(3, spec.WindowSamples)) ModelStore.Save(dir, v1, spec);
        ModelStore.Load(dir).Net.Dispose();
        File.WriteAllText(Path.Combine(dir, ModelStore.SpecFile), System.Text.Json.JsonSerializer.Serialize(spec with { TimeFrequencyBranch = true }, ModelStore.Json));
        Assert.Contains("corrupt", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
        // a statistic or class rates the detector cannot use
        using (var net = new GlitchNet(3, spec.WindowSamples)) ModelStore.Save(dir, net, spec with { SmoothWindows = 2 });
        Assert.Contains("smooth_windows must be 1 or 3", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
        using (var net = new GlitchNet(3, spec.WindowSamples)) ModelStore.Save(dir, net, spec with { ClassRates = [1, -2, 1] });
        Assert.Contains("class_rates", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
        using (var net = new GlitchNet(3, spec.WindowSamples)) ModelStore.Save(dir, net, spec with { ClassRates = [1, 1] });
        Assert.Contains("class_rates", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
        using (var net = new GlitchNet(3, spec.WindowSamples)) ModelStore.Save(dir, net, spec with { ClassSnr = [new SnrLaw(10, 5, 2), null, null] });
        Assert.Contains("class_snr", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
        using (var net = new GlitchNet(3, spec.WindowSamples)) ModelStore.Save(dir, net, spec with { ClassSnr = [null] });
        Assert.Contains("class_snr", Assert.Throws<NoiseInputException>(() => ModelStore.Load(dir)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheClassDecisionWeighsTheNetworkByTheScenariosClassRates()
    {
        // the network, trained on balanced classes, finds a broadband burst slightly more Koi_Fish-like than Blip-like
        string[] classes = ["Blip", "Koi_Fish", "Extremely_Loud", DetectorSpec.Chirp, DetectorSpec.None];
        var score = new WindowScore(0, 0.99, [0.30f, 0.36f, 0.33f, 0.005f, 0.005f], 1);
        using var net = new GlitchNet(classes.Length, 4096);
        var balanced = new Detector(net, new DetectorSpec { Classes = classes });
        Assert.Equal("Koi_Fish", classes[balanced.GlitchClass(score)]);
        // in a scenario with 24 Blips, 3 Koi_Fish and 0.5 Extremely_Loud an hour it is a Blip
        var weighted = new Detector(net, new DetectorSpec { Classes = classes, ClassRates = [24, 3, 0.5, 1, 1] });
        Assert.Equal("Blip", classes[weighted.GlitchClass(score, out double p)]);
        Assert.Equal(0.30 * 24 / (0.30 * 24 + 0.36 * 3 + 0.33 * 0.5), p, 5);
        var trigger = weighted.TriggerOf(score, 0, 0.25);
        Assert.Equal(("Blip", p), (trigger.Class, trigger.ClassProbability));
    }

    [Fact]
    public void TheClassPriorFollowsEachFamilysSnrLaw()
    {
        // O3's laws: Blips 6.5-200 (rho^-2.5), Koi_Fish 20-500 (rho^-2); equal network probabilities for the two
        string[] classes = ["Blip", "Koi_Fish", DetectorSpec.Chirp, DetectorSpec.None];
        using var net = new GlitchNet(classes.Length, 4096);
        var spec = new DetectorSpec { Classes = classes, ClassRates = [24, 3, 1, 1], ClassSnr = [new SnrLaw(6.5, 200, 2.5), new SnrLaw(20, 500, 2), null, null] };
        var detector = new Detector(net, spec);
        WindowScore At(double snr) => new(0, 0.99, [0.495f, 0.495f, 0.005f, 0.005f], 1, snr);
        Assert.Equal("Blip", classes[detector.GlitchClass(At(10))]);
        Assert.Equal("Blip", classes[detector.GlitchClass(At(40))]);
        // loud enough that Koi_Fish, rarer but with the flatter law, are the likelier: 3 x 1.04 / 150 > 24 x 1.51 x (150 / 6.5)^-1.5
        Assert.Equal("Koi_Fish", classes[detector.GlitchClass(At(150), out double p)]);
        double blip = 24 * spec.ClassSnr[0]!.PerLogSnr(150), koi = 3 * spec.ClassSnr[1]!.PerLogSnr(150);
        Assert.Equal(koi / (koi + blip), p, 5);
        // without a measured SNR, or without any excess power, the rates alone decide
        Assert.Equal("Blip", classes[detector.GlitchClass(At(double.NaN))]);
        // (also where one class has a law and the other none)
        var oneLaw = new Detector(net, spec with { ClassSnr = [new SnrLaw(6.5, 200, 2.5), null, null, null] });
        oneLaw.GlitchClass(At(0), out double atZero);
        Assert.Equal(24.0 / (24 + 3), atZero, 5);
    }

    [Fact]
    public void AnSnrLawIsADensityInLnSnrThatFallsOffSoftlyOutsideItsRange()
    {
        foreach (var law in new[] { new SnrLaw(6.5, 200, 2.5), new SnrLaw(20, 500, 2), new SnrLaw(200, 2000, 1.5), new SnrLaw(5, 50, 1) })
        {
            // integral over ln rho in [Min, Max] is 1
            int n = 20000;
            double a = Math.Log(law.Min), b = Math.Log(law.Max), sum = 0;
            for (int i = 0; i < n; i++) sum += law.PerLogSnr(Math.Exp(a + (i + 0.5) * (b - a) / n)) * (b - a) / n;
            Assert.Equal(1, sum, 3);
            // 1.4 times below the minimum: e^-1/2 of the density there; far outside: nothing
            Assert.Equal(Math.Exp(-0.5), law.PerLogSnr(law.Min / 1.4) / law.PerLogSnr(law.Min), 3);
            Assert.True(law.PerLogSnr(law.Min / 4) < 1e-3 * law.PerLogSnr(law.Min));
            Assert.True(law.PerLogSnr(law.Max * 4) < 1e-3 * law.PerLogSnr(law.Max));
        }
        // the twin's O3 laws as the trainer records them
        var o3 = O3();
        var laws = DetectorSpec.SnrLawsOf(o3, DetectorSpec.ClassesOf(o3));
        Assert.Equal(new SnrLaw(20, 500, 2), laws[DetectorSpec.ClassesOf(o3).IndexOf("Koi_Fish")]);
        Assert.Null(laws[^1]);
    }

    [Fact]
    public void TheSpectrogramBranchSeesWhitenedNoiseAsUnitPowerAndALineInItsOwnBin()
    {
        var rng = new Random(8);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var noise = Enumerable.Range(0, 4 * 4096).Select(_ => (float)Gauss()).ToArray();
        using var x = TorchSharp.torch.tensor(noise, [4, 4096]);
        using var s = GlitchNet.Spectrogram(x);
        // (4096 - 1024) / 64 + 1 segments, bins 10-160 Hz
        Assert.Equal(new long[] { 4, 1, GlitchNet.Bins, 49 }, s.shape);
        using var power = s.expm1();
        Assert.InRange(power.mean().item<float>(), 0.95, 1.05);
        // a 30 Hz sinusoid of amplitude 0.5 in the same noise: bin 30 / 2 = 15 is the loudest of every segment
        var line = noise.Take(4096).Select((v, i) => (float)(v + 0.5 * Math.Sin(2 * Math.PI * 30 * i / 2048.0))).ToArray();
        using var y = TorchSharp.torch.tensor(line, [1, 4096]);
        using var sy = GlitchNet.Spectrogram(y);
        using var loudest = sy[0, 0].argmax(0);
        Assert.All(loudest.data<long>().ToArray(), b => Assert.Equal(15 - GlitchNet.FirstBin, b));
        // the network with the branch scores a batch of windows
        using var net = new GlitchNet(3, 4096, timeFrequency: true);
        net.eval();
        var (logits, time) = net.forward(x);
        Assert.Equal(new long[] { 4, 3 }, logits.shape);
        Assert.Equal(new long[] { 4 }, time.shape);
        logits.Dispose();
        time.Dispose();
    }

    /// <summary>
    /// A loud transient is reported at its whitened peak, to the sample, where the time head (trained on SNRs up to
    /// ~100) can be far out; weak ones keep the time head's estimate.
    /// </summary>
    [Fact]
    public void ALoudTransientIsReportedAtItsWhitenedPeak()
    {
        var (net, spec, _) = ModelStore.Load(ShippedModel);
        using (net)
        {
            var detector = new Detector(net, spec);
            int fs = spec.SampleRate;
            var rng = new Random(7);
            var x = Enumerable.Range(0, 24 * fs).Select(_ => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())).ToArray();
            Assert.True(double.IsNaN(detector.LoudPeak(x.Take(spec.WindowSamples).Select(v => (float)v).ToArray(), 0)));
            // a Blip-like sine-Gaussian (200 Hz, Q 3) of SNR 150, its cosine peak at 12.3 s
            double t0 = 12.3, tau = 3 / (Math.Sqrt(2) * Math.PI * 200);
            var h = x.Select((_, i) => { double t = (double)i / fs - t0; return Math.Exp(-t * t / (2 * tau * tau)) * Math.Cos(2 * Math.PI * 200 * t); }).ToArray();
            double scale = 150 / Math.Sqrt(h.Sum(v => v * v));
            for (int i = 0; i < x.Length; i++) x[i] += scale * h[i];
            var triggers = detector.Triggers(detector.Slide(x, 1000), 0.5);
            var nearest = triggers.MinBy(t => Math.Abs(t.Time - (1000 + t0)));
            Assert.NotNull(nearest);
            Assert.True(Math.Abs(nearest.Time - (1000 + t0)) <= 1.0 / fs, $"reported at {nearest.Time - 1000:F4} s, peak at {t0} s");
        }
    }

    /// <summary>
    /// Scoring on several workers gives each window the very same score, to the bit (the determinism contract:
    /// triggers do not depend on the cores). The batch a window falls in changes its float rounding only.
    /// </summary>
    [Fact]
    public void ScoresDoNotDependOnWorkers()
    {
        var (net, spec, _) = ModelStore.Load(ShippedModel);
        using (net)
        {
            var rng = new Random(11);
            int n = 150;
            var windows = Enumerable.Range(0, n).Select(k => Enumerable.Range(0, spec.WindowSamples)
                .Select(i => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())
                                     + (k % 10 == 3 ? 8 * Math.Exp(-Math.Pow((i - 2048) / 20.0, 2)) * Math.Cos(i * 0.6) : 0))).ToArray()).ToList();
            var starts = Enumerable.Range(0, n).Select(k => 0.25 * k).ToList();
            var reference = new Detector(net, spec).Score(windows, starts);
            foreach (var (workers, batch) in new[] { (2, Detector.DefaultBatch), (3, Detector.DefaultBatch), (2, 7), (1, n) })
            {
                var scores = new Detector(net, spec) { Workers = workers }.Score(windows, starts, batch);
                var alone = batch == Detector.DefaultBatch ? reference : new Detector(net, spec).Score(windows, starts, batch);
                Assert.Equal(n, scores.Count);
                for (int k = 0; k < n; k++)
                {
                    Assert.Equal(starts[k], scores[k].Start);
                    Assert.Equal(alone[k].GlitchProbability, scores[k].GlitchProbability);
                    Assert.Equal(alone[k].ClassProbabilities, scores[k].ClassProbabilities);
                    Assert.Equal(alone[k].Time, scores[k].Time);
                    Assert.True(Math.Abs(reference[k].GlitchProbability - scores[k].GlitchProbability) < 1e-5, $"window {k}, batch {batch}");
                }
            }
            Assert.Contains(reference, s => s.GlitchProbability > 0.5);
        }
    }

    [Fact]
    public void TheExcessPowerSnrOfAWindowMeasuresAnAddedTransient()
    {
        using var net = new GlitchNet(3, 4096);
        var detector = new Detector(net, new DetectorSpec { Classes = ["Blip", DetectorSpec.Chirp, DetectorSpec.None] });
        var spec = detector.Spec;
        double share = (spec.Conditioning.HighFor(spec.SampleRate) - spec.Conditioning.FLow) / (spec.SampleRate / 2.0);
        var rng = new Random(4);
        var noise = Enumerable.Range(0, 4096).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
        Assert.InRange(detector.ExcessSnr(noise), 0, 12);
        foreach (double rho in new[] { 20.0, 50.0 })
        {
            // a sine-Gaussian at 150 Hz with whitened energy rho^2 / share
            var h = Enumerable.Range(0, 4096).Select(i => { double t = (i - 2048) / 2048.0; return Math.Exp(-t * t / (2 * 0.01 * 0.01)) * Math.Sin(2 * Math.PI * 150 * t); }).ToArray();
            double scale = Math.Sqrt(rho * rho / share / h.Sum(v => v * v));
            var x = noise.Select((v, i) => (float)(v + scale * h[i])).ToArray();
            // noise scatters rho^2 by about +-90: +-5 at these SNRs is two standard deviations
            Assert.InRange(detector.ExcessSnr(x), rho - 5, rho + 5);
        }
    }

    [Fact]
    public void ClassRatesCountTheGlitchesDisturbancesCoupleIntoTheStrain()
    {
        var o3 = O3();
        var classes = DetectorSpec.ClassesOf(o3);
        var rates = DetectorSpec.RatesOf(o3, classes);
        double Rate(string c) => rates[classes.IndexOf(c)];
        Assert.Equal(20 + 4, Rate("Blip"));                  // Magnetic_Pulse couples as Blips
        Assert.Equal(10 + 6, Rate("Scattered_Light"));       // trucks drive scattered light
        Assert.Equal(6 + 0.5, Rate("Low_Frequency_Burst"));  // thunder
        Assert.Equal(0.5, Rate("Extremely_Loud"));
        // the shipped model carries its training scenario's rates
        var doc = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(ShippedModel, ModelStore.SpecFile)))!;
        Assert.Equal(o3.ComputeHash(), doc["training_scenario_hash"]!.GetValue<string>());
        Assert.Equal(rates, doc["class_rates"]!.AsArray().Select(n => n!.GetValue<double>()));
        // and its SNR laws
        var (net, shipped, _) = ModelStore.Load(ShippedModel);
        net.Dispose();
        Assert.Equal(DetectorSpec.SnrLawsOf(o3, classes), shipped.ClassSnr);
    }

    [Fact]
    public void TheBlockBaselineLeavesOutWhatTheConditioningNotched()
    {
        // the Virgo O2 file's calibrated noise and lines: its 36 Hz and 50 Hz lines are notched into one band of
        // 26-60 Hz, and Q rows inside it, normalised by the median of the chunk edges' leakage, once reached tile
        // SNRs of 2-8 x 10^4 at 32 s from every chunk's edge; Gaussian noise gives nothing near 20 in 300 s
        var scenario = Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "benchmarks", "scenarios", "virgo-o2-calibrated.yaml");
        var (x, s) = Noise.TestSupport.TwinNoise.Generate(300, 11, scenario, SignalComponents.Noise | SignalComponents.Lines);
        var spec = new DetectorSpec { Classes = ["Blip", DetectorSpec.Chirp, DetectorSpec.None], SampleRate = 4096, Conditioning = new ConditioningSettings { FLow = 11, FHigh = 900 } };
        using var net = new GlitchNet(spec.Classes.Count, spec.WindowSamples);
        var scanner = new StrainScanner(new Detector(net, spec), new QTriggerSettings { SnrThreshold = 6 });
        var (_, tiles) = scanner.ScanSeries(s.SampleRate, s.GpsStart.ToDouble(), x);
        Assert.True(tiles.Count < 10, $"{tiles.Count} baseline triggers above SNR 6 in 300 s of stationary noise and lines");
        double loudest = tiles.Count == 0 ? 0 : tiles.Max(q => q.Snr);
        Assert.True(loudest < 20, $"loudest baseline tile SNR {loudest:F0}");
    }

    [Fact]
    public void DataBelowTheModelRateIsAClearError()
    {
        var spec = new DetectorSpec { Classes = ["Blip", DetectorSpec.Chirp, DetectorSpec.None] };
        var x = new double[1024 * 64];
        var r = new Random(1);
        for (int i = 0; i < x.Length; i++) x[i] = r.NextDouble() - 0.5;
        var e = Assert.Throws<NoiseInputException>(() => Conditioner.Condition(x, 1024, spec));
        Assert.Contains("cannot be brought to 2048 Hz", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void WhitenedRealGwoscDataHasUnitVarianceAwayFromGW150914()
    {
        var path = Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "..", "shared", "data", "strain", "H-H1_LOSC_4_V2-1126259446-32.hdf5");
        Skip.IfNot(File.Exists(path), "../shared/data/strain is not beside this checkout");
        var strain = StrainReader.Read(path);
        var spec = new DetectorSpec { Classes = [DetectorSpec.None] };
        var w = Conditioner.Condition(strain.Data, strain.SampleRate, spec);
        var kept = new List<double>();
        for (int i = 0; i < w.Length; i++)
        {
            double t = strain.GpsStart + (double)i / spec.SampleRate;
            if (double.IsFinite(w[i]) && Math.Abs(t - 1126259462.42) > 1) kept.Add(w[i]);
        }
        // 32 s less 6 s unusable at each end (the conditioning's edge) less the 2 s around the event
        Assert.True(kept.Count >= 18 * spec.SampleRate, $"{kept.Count} usable samples");
        double mean = kept.Average(), sd = Math.Sqrt(kept.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(sd, 0.9, 1.1);
    }
}

public class ShippedModelTests
{
    /// <summary>
    /// A regression floor for models/glitchnet-o3 on a small fixed-seed O3 evaluation (20 min of data, thresholds on
    /// 10 min of glitch-free data: a FAR of 1 per 10 min rather than per hour, so the floors sit below the
    /// 1/h figures in the README). The floors are what this model measured, less a margin; a worse model fails.
    /// </summary>
    [Fact]
    public void ShippedModelMeetsItsRegressionFloor()
    {
        var (net, spec, _) = ModelStore.Load(DetectorTests.ShippedModel);
        using (net)
        {
            var scenario = DetectorTests.O3();
            var evaluator = new Evaluator(new Detector(net, spec), new EvaluateOptions { Scenario = scenario, Duration = 1200, BackgroundSeconds = 600, FarPerHour = 6 });
            var report = evaluator.Run(11, _ => { });
            double Found(string who, double minSnr)
            {
                var bins = report[who]!["efficiency_by_snr"]!.AsArray().Where(b => b!["snr_min"]!.GetValue<double>() >= minSnr && b["efficiency"] is not null).ToList();
                double n = bins.Sum(b => b!["n"]!.GetValue<int>());
                return bins.Sum(b => b!["n"]!.GetValue<int>() * b["efficiency"]!.GetValue<double>()) / n;
            }
            var text = report.ToJsonString();
            Assert.True(Found("model", 15) >= FloorSnr15, $"model efficiency SNR >= 15: {Found("model", 15):F3}\n{text}");
            Assert.True(Found("model", 8) >= FloorSnr8, $"model efficiency SNR >= 8: {Found("model", 8):F3}\n{text}");
            Assert.True(report["model"]!["class_accuracy_snr_ge_8"]!.GetValue<double>() >= FloorClass, text);
        }
    }

    /// <summary>
    /// Only events inside a scored window are counted: where conditioning gave data up (beside a gap), neither
    /// pipeline saw the event, and counting it as missed would charge both for time nobody analysed.
    /// </summary>
    [Fact]
    public void EventsNoPipelineCouldSeeAreNotCounted()
    {
        var (net, spec, _) = ModelStore.Load(DetectorTests.ShippedModel);
        using (net)
        {
            var scenario = DetectorTests.O3() with { Lock = null, Disturbances = [] };
            var evaluator = new Evaluator(new Detector(net, spec), new EvaluateOptions { Scenario = scenario, Duration = 1200 });
            var all = evaluator.Truth(scenario, 1200, []);
            double t0 = scenario.GpsStart.ToDouble(), w = spec.WindowSeconds;
            // windows every 0.25 s over the first 600 s only, then a hole as if conditioning had dropped the rest
            var scanned = Enumerable.Range(0, (int)((600 - w) / 0.25) + 1)
                .Select(i => new WindowScore(t0 + i * 0.25, 0, new float[spec.Classes.Count], t0 + i * 0.25)).ToList();
            var (seen, notScanned) = evaluator.Scanned(scenario, 1200, [], scanned);
            Assert.True(all.Count(e => e.PeakTime.ToDouble() < t0 + 590) >= 5, $"{all.Count} events in 1200 s");
            Assert.Equal(all.Where(e => e.PeakTime.ToDouble() <= t0 + 600).Select(e => e.EventId), seen.Select(e => e.EventId));
            Assert.True(notScanned > 0, "the unscanned half held glitches");
            Assert.Equal(all.Count(e => e.Kind == "glitch") - seen.Count(e => e.Kind == "glitch"), notScanned);
        }
    }

    /// <summary>--snr-floor: the labelled stretch's glitches are drawn from the floor up (O3's own start at 6.5), the background is untouched.</summary>
    [Fact]
    public void AnSnrFloorFillsTheBinsBelowTheScenariosOwnFloor()
    {
        var (net, spec, _) = ModelStore.Load(DetectorTests.ShippedModel);
        using (net)
        {
            var scenario = DetectorTests.O3();
            var options = new EvaluateOptions { Scenario = scenario, Duration = 600, BackgroundSeconds = 600, FarPerHour = 6 };
            var plain = new Evaluator(new Detector(net, spec), options).Run(12, _ => { });
            var floored = new Evaluator(new Detector(net, spec), options with { SnrFloor = 4 }).Run(12, _ => { });
            int Below(System.Text.Json.Nodes.JsonObject r) => r["outcomes"]!.AsArray().Count(o => o!["kind"]!.GetValue<string>() == "glitch" && o["snr"]!.GetValue<double>() < 6);
            // the families start at 6.5 in O3; what is below 6 without the floor comes from disturbances' couplings
            // ~9 glitches in 600 s, about 4 of them below 6 when drawn from 4 up (rho^-2.5)
            Assert.True(Below(floored) >= Below(plain) + 2, $"{Below(floored)} glitches below SNR 6 with the floor, {Below(plain)} without");
            Assert.Equal(4, floored["snr_floor"]!.GetValue<double>());
            Assert.Null(plain["snr_floor"]);
            Assert.Equal(plain["model"]!["threshold"]!.GetValue<double>(), floored["model"]!["threshold"]!.GetValue<double>());
        }
    }

    /// <summary>
    /// PyTorch users load the shipped model from model.pt and from model.safetensors with models/glitchnet.py (the
    /// network's PyTorch definition) and score windows as TorchSharp does: white noise, sine-Gaussians and
    /// broadband bursts at several SNRs, so some windows are called glitches and some not.
    /// </summary>
    [Fact]
    public void PyTorchScoresTheShippedModelsWindowsAsTorchSharpDoes()
    {
        var (net, spec, _) = ModelStore.Load(DetectorTests.ShippedModel);
        using (net)
        {
            int n = 48, w = spec.WindowSamples;
            var rng = new Random(5);
            var windows = new List<float[]>();
            for (int k = 0; k < n; k++)
            {
                var x = new float[w];
                for (int i = 0; i < w; i++) x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
                // a third noise alone; a third sine-Gaussians (40-400 Hz, Q 6); a third short broadband bursts
                double amplitude = 3 * (k % 16), t0 = 0.5 + rng.NextDouble(), f0 = 40 + 360 * rng.NextDouble();
                for (int i = 0; i < w && k >= 16; i++)
                {
                    double t = (double)i / spec.SampleRate - t0;
                    x[i] += k < 32
                        ? (float)(amplitude * 0.1 * Math.Exp(-t * t * f0 * f0 / 0.9) * Math.Sin(2 * Math.PI * f0 * t))
                        : (float)(amplitude * 0.3 * Math.Exp(-t * t / 2e-6));
                }
                windows.Add(x);
            }
            var torchSharp = new Detector(net, spec).Score(windows, Enumerable.Range(0, n).Select(i => 0.0).ToList());
            Assert.Contains(torchSharp, s => s.GlitchProbability > 0.5);
            Assert.Contains(torchSharp, s => s.GlitchProbability < 0.5);
            var dir = Noise.TestSupport.RepoPaths.TempDir("pytorch");
            var input = Path.Combine(dir, "windows.f32");
            using (var f = File.Create(input))
                foreach (var x in windows) f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()));
            var script = Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "models", "glitchnet.py");
            foreach (var weights in new[] { "pt", "safetensors" })
            {
                var output = Path.Combine(dir, $"scores-{weights}.f32");
                var (code, text) = Noise.TestSupport.ChildProcess.Run("/usr/bin/python3", script, DetectorTests.ShippedModel, "--weights", weights, "--windows", input, "--out", output);
                Assert.True(code == 0, text);
                var scores = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
                int k = spec.Classes.Count;
                Assert.Equal(n * (k + 1), scores.Length);
                for (int i = 0; i < n; i++)
                {
                    for (int c = 0; c < k; c++)
                        Assert.True(Math.Abs(scores[i * (k + 1) + c] - torchSharp[i].ClassProbabilities[c]) < 1e-4,
                            $"{weights}: window {i}, {spec.Classes[c]}: PyTorch {scores[i * (k + 1) + c]}, TorchSharp {torchSharp[i].ClassProbabilities[c]}");
                    Assert.True(Math.Abs(scores[i * (k + 1) + k] - torchSharp[i].Time) < 1e-3,
                        $"{weights}: window {i} time: PyTorch {scores[i * (k + 1) + k]}, TorchSharp {torchSharp[i].Time}");
                }
            }
        }
    }


    // measured 2026-11-26 for the first shipped model: 1.00 (4 of 4), 0.75 (6 of 8), 0.83 (5 of 6); for the model
    // shipped later that day (11-900 Hz, hard negatives, SNR-dependent class prior): 1.00 (4 of 4), 0.875 (7 of 8),
    // 0.86 (6 of 7); for the model shipped 2026-12-03 (fine-tuned on varied noise with the fine notch) the same
    // 1.00, 0.875 and 0.86, so the floors stand
    private const double FloorSnr15 = 0.75, FloorSnr8 = 0.6, FloorClass = 0.6;
}

public class WindowSmootherTests
{
    private static WindowScore W(double t, double p) => new(t, p, [(float)p, (float)(1 - p)], t + 1);
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    private static double Logit(double p) => Math.Log(p / (1 - p));

    [Fact]
    public void EachWindowIsAveragedInLogOddsWithItsContiguousNeighbours()
    {
        // 0.0-0.5 contiguous, a missing window at 0.75, then 1.0-1.25
        var windows = new[] { W(0, 0.2), W(0.25, 0.9), W(0.5, 0.99), W(1.0, 0.6), W(1.25, 0.7) };
        var s = WindowSmoother.Apply(windows, 3, 0.25);
        Assert.Equal(windows.Select(w => w.Start), s.Select(w => w.Start));
        Assert.Equal(Sigmoid((Logit(0.2) + Logit(0.9)) / 2), s[0].GlitchProbability, 12);
        Assert.Equal(Sigmoid((Logit(0.2) + Logit(0.9) + Logit(0.99)) / 3), s[1].GlitchProbability, 12);
        Assert.Equal(Sigmoid((Logit(0.9) + Logit(0.99)) / 2), s[2].GlitchProbability, 12);   // 1.0 is not its neighbour
        Assert.Equal(Sigmoid((Logit(0.6) + Logit(0.7)) / 2), s[3].GlitchProbability, 12);
        Assert.Equal(windows[1].ClassProbabilities, s[1].ClassProbabilities);
        // span 1: the windows as they are
        Assert.Equal(windows.Select(w => w.GlitchProbability), WindowSmoother.Apply(windows, 1, 0.25).Select(w => w.GlitchProbability));
    }

    [Fact]
    public void OnlineFeedingGivesWhatTheListGivesAndPassesGapsThrough()
    {
        var r = new Random(4);
        var windows = Enumerable.Range(0, 40).Select(i => W(i * 0.25, r.NextDouble())).ToList();
        var online = new WindowSmoother(3, 0.25);
        var got = new List<(double, WindowScore?)>();
        foreach (var w in windows)
        {
            // a gap at 5.0: it breaks contiguity and comes out in its place
            if (w.Start == 5.0) { got.AddRange(online.Feed(5.0, null)); continue; }
            got.AddRange(online.Feed(w.Start, w));
        }
        got.AddRange(online.Flush());
        var listed = WindowSmoother.Apply(windows.Where(w => w.Start != 5.0), 3, 0.25);
        Assert.Equal(listed.Select(w => (w.Start, w.GlitchProbability)), got.Where(g => g.Item2 is not null).Select(g => (g.Item1, g.Item2!.GlitchProbability)));
        Assert.Equal(5.0, got.Single(g => g.Item2 is null).Item1);
        Assert.Equal(got.Select(g => g.Item1).Order(), got.Select(g => g.Item1));
    }
}
