using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Noise.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Noise.Detection.Model;

public sealed record TrainOptions
{
    public required Scenario Scenario { get; init; }
    public required string OutDir { get; init; }
    public double Minutes { get; init; } = 15;
    public int Epochs { get; init; } = 1000;
    public int StepsPerEpoch { get; init; } = 150;
    public int BatchSize { get; init; } = 32;
    /// <summary>Fresh twin stretches drawn into the window pool before each epoch (three times as many before the first).</summary>
    public int StretchesPerEpoch { get; init; } = 16;
    public int Threads { get; init; } = 2;
    public long Seed { get; init; } = 1;
    /// <summary>
    /// Train GlitchNet v2 (the low-band spectrogram branch beside the time series), the shipped model's network.
    /// Off by default (v1, the time series alone, about 25 % faster per epoch); README, "GlitchNet v2".
    /// </summary>
    public bool SpectrogramBranch { get; init; }
    /// <summary>Validation stretches (held-out seed).</summary>
    public int ValidationStretches { get; init; } = 30;
    /// <summary>
    /// Epochs without a better validation loss before stopping, counted once the learning rate has decayed below
    /// half its start in the last curriculum stage: the loss is noisy from epoch to epoch, and the best models come
    /// from the decay (counted from the stage's start, 15 epochs stopped a run before its rate had fallen by a fifth).
    /// </summary>
    public int Patience { get; init; } = 15;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Glitch-free stretches scanned after each epoch for the windows the network most takes for glitches.</summary>
    public int QuietStretchesPerEpoch { get; init; } = 2;
    public string SoftwareVersion { get; init; } = "";
    /// <summary>Domain randomisation of the training noise (<see cref="NoiseVariety"/>); null: the scenario's noise as it is.</summary>
    public NoiseVariety? Variety { get; init; }
    /// <summary>A model folder whose weights a new run starts from (fine-tuning); same classes and network. Null: random weights.</summary>
    public string? InitFrom { get; init; }
    /// <summary>The conditioning's fine notch for the line forest (<see cref="ConditioningSettings.FineNotchFactor"/>); 0 turns it off.</summary>
    public double FineNotchFactor { get; init; } = DefaultFineNotchFactor;
    /// <summary>
    /// 10x over a +-2 Hz median, widened by 1 Hz: on seven of the ten GWOSC files (three held out) the best single
    /// narrow notch; beside the broad notch it notches the line forest and changed no real-data count there
    /// (docs/detector.md, Conditioning).
    /// </summary>
    public const double DefaultFineNotchFactor = 10;

    /// <summary>The conditioning's broad notch of strong lines (<see cref="ConditioningSettings.NotchFactor"/>, 100x over +-32 Hz, widened 10 Hz); 0 turns it off, leaving the fine notch alone.</summary>
    public double NotchFactor { get; init; } = new ConditioningSettings().NotchFactor;
}

/// <summary>
/// What one epoch achieved on the held-out validation windows, and the hard negatives: the highest glitch
/// probability among the glitch-free windows scanned after it, and how many windows the hard pool holds.
/// </summary>
public sealed record EpochReport(int Epoch, double TrainLoss, double ValidationLoss, double DetectionAccuracy, double ClassAccuracySnrGe8, double SnrFloor, int PoolSize, double ElapsedSeconds, bool Best,
    double QuietMax = double.NaN, int HardPool = 0, double LearningRate = double.NaN);

/// <summary>
/// Trains a <see cref="GlitchNet"/> on windows the twin draws as it trains (each epoch adds fresh stretches to a pool
/// of recent windows; batches are sampled from it). Curriculum: transients start at SNR 8 and the floor drops to
/// 6 and then 5 as the time budget passes; in that last stage the learning rate falls along a cosine to a
/// twentieth. Hard negatives: after each epoch the network scans fresh glitch-free stretches, and the windows it
/// most takes for glitches join a pool from which an eighth of every batch is drawn; at one false alarm an hour
/// the threshold is set by the few loudest noise windows, so those are what the network must learn. Validation
/// uses a held-out seed. Every epoch writes a checkpoint (weights and state); a killed run resumes from it. The
/// best model by validation loss is what is kept; training stops early when the validation loss has not improved
/// for <see cref="TrainOptions.Patience"/> epochs once the learning rate is below half its start.
/// </summary>
public static class Trainer
{
    public const string CheckpointWeights = "checkpoint.bin", CheckpointState = "checkpoint.json";
    private const int PoolCapacity = 8000, HardCapacity = 1024, HardPerStretch = 8;
    /// <summary>The curriculum's last SNR floor: SNR 4-5 windows are all but noise, and teaching the network to call noise-like windows glitches raises its false alarms.</summary>
    public const double FinalSnrFloor = 5;

    /// <summary>The curriculum's SNR floor at a share of the time budget: 8, then 6 from 15 %, then <see cref="FinalSnrFloor"/> from 45 %.</summary>
    public static double SnrFloorAt(double budgetShare) => budgetShare < 0.15 ? 8 : budgetShare < 0.45 ? 6 : FinalSnrFloor;

    /// <summary>The learning rate's share of its start: constant, then a cosine from the last stage's start down to a twentieth at the end of the budget.</summary>
    public static double LearningRateShareAt(double budgetShare)
    {
        double f = Math.Clamp((budgetShare - 0.45) / 0.55, 0, 1);
        return 0.05 + 0.95 * 0.5 * (1 + Math.Cos(Math.PI * f));
    }

    /// <summary>
    /// Whether an epoch without a better validation loss counts towards <see cref="TrainOptions.Patience"/>: once the
    /// rate is below half its start (the decay runs only in the last curriculum stage, so that stage is implied).
    /// </summary>
    public static bool PatienceCountsAt(double budgetShare) => LearningRateShareAt(budgetShare) <= 0.5;

    public static DetectorSpec SpecFor(TrainOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var classes = DetectorSpec.ClassesOf(o.Scenario);
        return new()
        {
            Classes = classes,
            ClassRates = DetectorSpec.RatesOf(o.Scenario, classes),
            ClassSnr = DetectorSpec.SnrLawsOf(o.Scenario, classes),
            SmoothWindows = 3,
            TimeFrequencyBranch = o.SpectrogramBranch,
            Conditioning = new DetectorSpec().Conditioning with { FineNotchFactor = o.FineNotchFactor, NotchFactor = o.NotchFactor },
            TrainingScenario = o.Scenario.Name,
            TrainingScenarioHash = o.Scenario.ComputeHash(),
            TrainingSeed = o.Seed,
            ValidationSeed = o.Seed + 1_000_003,
            SoftwareVersion = o.SoftwareVersion,
            NoiseVariety = o.Variety?.Describe(),
            InitialisedFrom = o.InitFrom is null ? null : Path.GetFileName(Path.TrimEndingDirectorySeparator(o.InitFrom)),
        };
    }

    public static DetectorSpec Run(TrainOptions o, Action<EpochReport> report, Action<string> log, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(log);
        torch.set_num_threads(Math.Max(1, o.Threads));
        torch.random.manual_seed(o.Seed);
        var spec = SpecFor(o);
        Directory.CreateDirectory(o.OutDir);
        // what a killed run was writing when it died (the checkpoint it had finished before stays)
        AtomicFile.CleanStale(o.OutDir);
        using var net = GlitchNet.For(spec);

        // resume: weights and progress of the last finished epoch
        int startEpoch = 0, sinceBest = 0;
        double bestLoss = double.PositiveInfinity, elapsedBefore = 0;
        long nextStretch = 0, nextQuiet = 0;
        var statePath = Path.Combine(o.OutDir, CheckpointState);
        if (File.Exists(statePath))
        {
            var st = JsonNode.Parse(File.ReadAllText(statePath))!;
            if (st["scenario_hash"]!.GetValue<string>() != spec.TrainingScenarioHash || st["seed"]!.GetValue<long>() != o.Seed)
                throw new NoiseInputException($"{o.OutDir} holds a training run of another scenario or seed; use another --out");
            if ((st["spectrogram_branch"]?.GetValue<bool>() ?? false) != o.SpectrogramBranch)
                throw new NoiseInputException($"{o.OutDir} holds a training run {(o.SpectrogramBranch ? "without" : "with")} the spectrogram branch; resume it {(o.SpectrogramBranch ? "without" : "with")} --spectrogram-branch, or use another --out");
            net.load(Path.Combine(o.OutDir, CheckpointWeights));
            startEpoch = st["epoch"]!.GetValue<int>();
            bestLoss = st["best_validation_loss"]!.GetValue<double>();
            sinceBest = st["epochs_since_best"]!.GetValue<int>();
            elapsedBefore = st["elapsed_seconds"]!.GetValue<double>();
            nextStretch = st["next_stretch"]!.GetValue<long>();
            nextQuiet = st["next_quiet"]?.GetValue<long>() ?? 0;
            log($"resuming after epoch {startEpoch} ({elapsedBefore:F0} s trained, best validation loss {bestLoss:F4})");
        }
        else if (o.InitFrom is not null)
        {
            var (init, initSpec, _) = ModelStore.Load(o.InitFrom);
            using (init)
            {
                if (!initSpec.Classes.SequenceEqual(spec.Classes) || initSpec.TimeFrequencyBranch != spec.TimeFrequencyBranch || initSpec.SampleRate != spec.SampleRate || initSpec.WindowSamples != spec.WindowSamples)
                    throw new NoiseInputException($"--init {o.InitFrom}: its network (classes, branch, window) is not the one this run trains; start from random weights or match --spectrogram-branch and the scenario");
                net.load_state_dict(init.state_dict());
            }
            log($"starting from the weights of {o.InitFrom}");
        }
        var optimizer = optim.Adam(net.parameters(), o.LearningRate);

        log($"classes: {string.Join(", ", spec.Classes)}; windows of {spec.WindowSeconds} s at {spec.SampleRate} Hz");
        var validation = new List<LabelledWindow>();
        using (var val = new TwinWindows(o.Scenario, spec.ValidationSeed, spec, variety: o.Variety))
            for (int i = 0; i < o.ValidationStretches; i++) validation.AddRange(val.Stretch(i, 4, 1));
        log($"validation: {validation.Count} windows from {o.ValidationStretches} stretches of seed {spec.ValidationSeed}");

        var clock = Stopwatch.StartNew();
        double budget = o.Minutes * 60;
        double Elapsed() => elapsedBefore + clock.Elapsed.TotalSeconds;
        double Floor() => SnrFloorAt(Elapsed() / budget);
        double Rate() => o.LearningRate * LearningRateShareAt(Elapsed() / budget);

        // Data and training alternate on this one thread. TorchSharp's implicitly created Scalars can be finalized
        // by a garbage collection that another thread's allocations trigger while a native torch call still uses
        // them (seen: random crashes in Adam.step and Tensor.add under a concurrent producer), so nothing
        // allocates managed memory while torch runs.
        var pool = new List<LabelledWindow>();
        var hard = new List<LabelledWindow>();
        var rngPool = new Random((int)o.Seed);
        using var twin = new TwinWindows(o.Scenario, o.Seed, spec, variety: o.Variety);
        // glitch-free stretches come from their own seed, so they never repeat the training pool's noise
        using var quiet = new TwinWindows(o.Scenario, o.Seed + 2_000_029, spec, variety: o.Variety);
        // the glitch-free windows the network scores highest (above 0.5) replace random ones in the hard pool
        double ScanQuiet(int stretches)
        {
            net.eval();
            var detector = new Detector(net, spec);
            double max = 0;
            for (int k = 0; k < stretches; k++)
            {
                var windows = quiet.Quiet(nextQuiet++, spec.StrideSeconds);
                var scores = detector.Score(windows.Select(w => w.Data).ToList(), windows.Select(w => w.Start).ToList());
                max = Math.Max(max, scores.Count > 0 ? scores.Max(v => v.GlitchProbability) : 0);
                foreach (int i in Enumerable.Range(0, windows.Count).Where(i => scores[i].GlitchProbability > 0.5)
                             .OrderByDescending(i => scores[i].GlitchProbability).Take(HardPerStretch))
                {
                    if (hard.Count < HardCapacity) hard.Add(windows[i]);
                    else hard[rngPool.Next(hard.Count)] = windows[i];
                }
            }
            return max;
        }
        void Produce(int stretches)
        {
            for (int k = 0; k < stretches; k++)
                foreach (var w in twin.Stretch(nextStretch++, Floor()))
                {
                    if (pool.Count < PoolCapacity) pool.Add(w);
                    else pool[rngPool.Next(pool.Count)] = w;
                }
        }
        {
            var rng = new Random((int)(o.Seed * 7 + startEpoch));
            for (int epoch = startEpoch + 1; epoch <= o.Epochs; epoch++)
            {
                cancel.ThrowIfCancellationRequested();
                Produce(pool.Count == 0 ? o.StretchesPerEpoch * 3 : o.StretchesPerEpoch);
                double rate = Rate();
                foreach (var g in optimizer.ParamGroups) g.LearningRate = rate;
                net.train();
                double lossSum = 0;
                for (int step = 0; step < o.StepsPerEpoch; step++)
                {
                    var b = Enumerable.Range(0, o.BatchSize).Select(i => hard.Count > 0 && i < o.BatchSize / 8 ? hard[rng.Next(hard.Count)] : pool[rng.Next(pool.Count)]).ToArray();
                    optimizer.zero_grad();
                    using (var scope = NewDisposeScope())
                    {
                        var (x, y, t, hasTime) = Tensors(b, spec);
                        // a sign flip is as likely in noise and leaves a glitch's class: free augmentation
                        x = x * (randint(0, 2, [b.Length, 1]).to_type(ScalarType.Float32) * 2 - 1);
                        var loss = Loss(net, x, y, t, hasTime);
                        loss.backward();
                        lossSum += loss.item<float>();
                    }
                    // outside the scope: Adam keeps scalars and state it creates on its first step, which a
                    // dispose scope around the step would free under it (seen: crashes in Adam.step)
                    optimizer.step();
                }
                var (vLoss, detAcc, clsAcc) = Validate(net, validation, spec);
                double quietMax = o.QuietStretchesPerEpoch > 0 ? ScanQuiet(o.QuietStretchesPerEpoch) : double.NaN;
                bool best = vLoss < bestLoss;
                if (best)
                {
                    bestLoss = vLoss;
                    sinceBest = 0;
                    ModelStore.Save(o.OutDir, net, spec, new JsonObject
                    {
                        ["validation_loss"] = Math.Round(vLoss, 5),
                        ["validation_detection_accuracy"] = Math.Round(detAcc, 4),
                        ["validation_class_accuracy_snr_ge_8"] = Math.Round(clsAcc, 4),
                        ["epoch"] = epoch,
                        ["trained_seconds"] = Math.Round(Elapsed(), 1),
                    });
                }
                else if (PatienceCountsAt(Elapsed() / budget)) sinceBest++;
                report(new EpochReport(epoch, lossSum / o.StepsPerEpoch, vLoss, detAcc, clsAcc, Floor(), pool.Count, Elapsed(), best, quietMax, hard.Count, rate));
                Checkpoint(o, net, spec, epoch, bestLoss, sinceBest, Elapsed(), nextStretch, nextQuiet);
                if (sinceBest >= o.Patience) { log($"stopping early: no better validation loss for {o.Patience} epochs with the learning rate below half its start"); break; }
                if (Elapsed() >= budget) { log($"time budget of {o.Minutes} min reached"); break; }
            }
        }
        if (!File.Exists(Path.Combine(o.OutDir, ModelStore.WeightsFile)))
            throw new InvalidOperationException("training ended before the first epoch finished: no model written");
        return spec;
    }

    private static void Checkpoint(TrainOptions o, GlitchNet net, DetectorSpec spec, int epoch, double bestLoss, int sinceBest, double elapsed, long nextStretch, long nextQuiet)
    {
        AtomicFile.Write(Path.Combine(o.OutDir, CheckpointWeights), p => net.save(p));
        var state = new JsonObject
        {
            ["epoch"] = epoch,
            ["best_validation_loss"] = bestLoss,
            ["epochs_since_best"] = sinceBest,
            ["elapsed_seconds"] = elapsed,
            ["next_stretch"] = nextStretch,
            ["next_quiet"] = nextQuiet,
            ["scenario_hash"] = spec.TrainingScenarioHash,
            ["seed"] = o.Seed,
            ["spectrogram_branch"] = o.SpectrogramBranch,
        };
        AtomicFile.WriteAllText(Path.Combine(o.OutDir, CheckpointState), state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Class cross-entropy, plus the time regression on windows that hold a transient.</summary>
    public static Tensor Loss(GlitchNet net, Tensor x, Tensor y, Tensor t, Tensor hasTime)
    {
        ArgumentNullException.ThrowIfNull(net);
        var (logits, time) = net.forward(x);
        var ce = nn.functional.cross_entropy(logits, y);
        var mse = ((time - t).pow(2) * hasTime).sum() / (hasTime.sum() + 1);
        return ce + 4 * mse;
    }

    public static (Tensor X, Tensor Y, Tensor T, Tensor HasTime) Tensors(IReadOnlyList<LabelledWindow> b, DetectorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(spec);
        int w = spec.WindowSamples;
        var flat = new float[b.Count * w];
        for (int i = 0; i < b.Count; i++) b[i].Data.CopyTo(flat, i * w);
        return (tensor(flat, [b.Count, w]), tensor(b.Select(v => (long)v.Label).ToArray()),
            tensor(b.Select(v => Math.Max(0, v.TimeFraction)).ToArray()), tensor(b.Select(v => v.TimeFraction >= 0 ? 1f : 0f).ToArray()));
    }

    /// <summary>Validation loss, glitch-vs-not accuracy, and class accuracy on transients of SNR 8 and above.</summary>
    public static (double Loss, double Detection, double ClassSnrGe8) Validate(GlitchNet net, List<LabelledWindow> windows, DetectorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(spec);
        net.eval();
        var detector = new Detector(net, spec);
        var scores = detector.Score(windows.Select(w => w.Data).ToList(), windows.Select(w => w.Start).ToList());
        double loss = 0;
        using (no_grad())
        {
            for (int i = 0; i < windows.Count; i += 128)
            {
                var part = windows.Skip(i).Take(128).ToList();
                using var scope = NewDisposeScope();
                var (x, y, t, h) = Tensors(part, spec);
                loss += Loss(net, x, y, t, h).item<float>() * part.Count;
            }
        }
        int det = 0, cls = 0, clsN = 0;
        for (int i = 0; i < windows.Count; i++)
        {
            int label = windows[i].Label;
            bool glitch = label != spec.NoneIndex && label != spec.ChirpIndex;
            if ((scores[i].GlitchProbability >= 0.5) == glitch) det++;
            if (label != spec.NoneIndex && windows[i].Snr >= 8)
            {
                clsN++;
                int arg = 0;
                for (int c = 1; c < scores[i].ClassProbabilities.Length; c++)
                    if (scores[i].ClassProbabilities[c] > scores[i].ClassProbabilities[arg]) arg = c;
                if (arg == label) cls++;
            }
        }
        return (loss / windows.Count, (double)det / windows.Count, clsN > 0 ? (double)cls / clsN : double.NaN);
    }
}
