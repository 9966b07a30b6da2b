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
    /// <summary>Validation stretches (held-out seed).</summary>
    public int ValidationStretches { get; init; } = 30;
    /// <summary>Epochs without a better validation loss before stopping.</summary>
    public int Patience { get; init; } = 6;
    public double LearningRate { get; init; } = 1e-3;
    public string SoftwareVersion { get; init; } = "";
}

/// <summary>What one epoch achieved on the held-out validation windows.</summary>
public sealed record EpochReport(int Epoch, double TrainLoss, double ValidationLoss, double DetectionAccuracy, double ClassAccuracySnrGe8, double SnrFloor, int PoolSize, double ElapsedSeconds, bool Best);

/// <summary>
/// Trains a <see cref="GlitchNet"/> on windows the twin draws as it trains (each epoch adds fresh stretches to a pool
/// of recent windows; batches are sampled from it). Curriculum: transients start at SNR 8 and the floor drops to
/// 6, 5 and 4 as the time budget passes. Validation uses a held-out seed. Every epoch writes a checkpoint
/// (weights and state); a killed run resumes from it. The best model by validation loss is what is kept; training
/// stops early when the validation loss stops improving.
/// </summary>
public static class Trainer
{
    public const string CheckpointWeights = "checkpoint.bin", CheckpointState = "checkpoint.json";
    private const int PoolCapacity = 8000;

    public static DetectorSpec SpecFor(TrainOptions o) => new()
    {
        Classes = DetectorSpec.ClassesOf(o.Scenario),
        ClassRates = DetectorSpec.RatesOf(o.Scenario, DetectorSpec.ClassesOf(o.Scenario)),
        SmoothWindows = 3,
        TrainingScenario = o.Scenario.Name,
        TrainingScenarioHash = o.Scenario.ComputeHash(),
        TrainingSeed = o.Seed,
        ValidationSeed = o.Seed + 1_000_003,
        SoftwareVersion = o.SoftwareVersion,
    };

    public static DetectorSpec Run(TrainOptions o, Action<EpochReport> report, Action<string> log, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(log);
        torch.set_num_threads(Math.Max(1, o.Threads));
        torch.random.manual_seed(o.Seed);
        var spec = SpecFor(o);
        Directory.CreateDirectory(o.OutDir);
        using var net = new GlitchNet(spec.Classes.Count, spec.WindowSamples);

        // resume: weights and progress of the last finished epoch
        int startEpoch = 0, sinceBest = 0;
        double bestLoss = double.PositiveInfinity, elapsedBefore = 0;
        long nextStretch = 0;
        var statePath = Path.Combine(o.OutDir, CheckpointState);
        if (File.Exists(statePath))
        {
            var st = JsonNode.Parse(File.ReadAllText(statePath))!;
            if (st["scenario_hash"]!.GetValue<string>() != spec.TrainingScenarioHash || st["seed"]!.GetValue<long>() != o.Seed)
                throw new NoiseInputException($"{o.OutDir} holds a training run of another scenario or seed; use another --out");
            net.load(Path.Combine(o.OutDir, CheckpointWeights));
            startEpoch = st["epoch"]!.GetValue<int>();
            bestLoss = st["best_validation_loss"]!.GetValue<double>();
            sinceBest = st["epochs_since_best"]!.GetValue<int>();
            elapsedBefore = st["elapsed_seconds"]!.GetValue<double>();
            nextStretch = st["next_stretch"]!.GetValue<long>();
            log($"resuming after epoch {startEpoch} ({elapsedBefore:F0} s trained, best validation loss {bestLoss:F4})");
        }
        var optimizer = optim.Adam(net.parameters(), o.LearningRate);

        log($"classes: {string.Join(", ", spec.Classes)}; windows of {spec.WindowSeconds} s at {spec.SampleRate} Hz");
        var validation = new List<LabelledWindow>();
        using (var val = new TwinWindows(o.Scenario, spec.ValidationSeed, spec))
            for (int i = 0; i < o.ValidationStretches; i++) validation.AddRange(val.Stretch(i, 4, 1));
        log($"validation: {validation.Count} windows from {o.ValidationStretches} stretches of seed {spec.ValidationSeed}");

        var clock = Stopwatch.StartNew();
        double budget = o.Minutes * 60;
        double Elapsed() => elapsedBefore + clock.Elapsed.TotalSeconds;
        double Floor() => Elapsed() < 0.15 * budget ? 8 : Elapsed() < 0.35 * budget ? 6 : Elapsed() < 0.55 * budget ? 5 : 4;

        // Data and training alternate on this one thread. TorchSharp's implicitly created Scalars can be finalized
        // by a garbage collection that another thread's allocations trigger while a native torch call still uses
        // them (seen: random crashes in Adam.step and Tensor.add under a concurrent producer), so nothing
        // allocates managed memory while torch runs.
        var pool = new List<LabelledWindow>();
        var rngPool = new Random((int)o.Seed);
        using var twin = new TwinWindows(o.Scenario, o.Seed, spec);
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
                net.train();
                double lossSum = 0;
                for (int step = 0; step < o.StepsPerEpoch; step++)
                {
                    var b = Enumerable.Range(0, o.BatchSize).Select(_ => pool[rng.Next(pool.Count)]).ToArray();
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
                else sinceBest++;
                report(new EpochReport(epoch, lossSum / o.StepsPerEpoch, vLoss, detAcc, clsAcc, Floor(), pool.Count, Elapsed(), best));
                Checkpoint(o, net, spec, epoch, bestLoss, sinceBest, Elapsed(), nextStretch);
                if (sinceBest >= o.Patience && Floor() <= 4) { log($"stopping early: no better validation loss for {o.Patience} epochs"); break; }
                if (Elapsed() >= budget) { log($"time budget of {o.Minutes} min reached"); break; }
            }
        }
        if (!File.Exists(Path.Combine(o.OutDir, ModelStore.WeightsFile)))
            throw new InvalidOperationException("training ended before the first epoch finished: no model written");
        return spec;
    }

    private static void Checkpoint(TrainOptions o, GlitchNet net, DetectorSpec spec, int epoch, double bestLoss, int sinceBest, double elapsed, long nextStretch)
    {
        var weights = Path.Combine(o.OutDir, CheckpointWeights);
        net.save(weights + ".partial");
        File.Move(weights + ".partial", weights, true);
        var state = new JsonObject
        {
            ["epoch"] = epoch,
            ["best_validation_loss"] = bestLoss,
            ["epochs_since_best"] = sinceBest,
            ["elapsed_seconds"] = elapsed,
            ["next_stretch"] = nextStretch,
            ["scenario_hash"] = spec.TrainingScenarioHash,
            ["seed"] = o.Seed,
        };
        var path = Path.Combine(o.OutDir, CheckpointState);
        File.WriteAllText(path + ".partial", state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".partial", path, true);
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
