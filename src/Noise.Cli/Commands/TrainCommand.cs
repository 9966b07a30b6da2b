using System.CommandLine;
using System.Globalization;
using Noise.Core;
using Noise.Detection.Model;

namespace Noise.Cli.Commands;

/// <summary>`noise train`: trains the glitch detector on data the twin draws on the fly.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config(required: true);
        var minutes = new Option<double?>("--minutes") { Description = "Training time budget in minutes (default 15). Training also stops early when validation stops improving." };
        var epochs = new Option<int?>("--epochs") { Description = "At most this many epochs (150 batches of 32 windows each)." };
        var outDir = new Option<DirectoryInfo>("--out", "-o") { Description = "Model folder: model.json, model.bin, model.pt, model.safetensors, and the checkpoint a killed run resumes from.", Required = true };
        var threads = CliOptions.Threads();
        var seed = new Option<long?>("--seed") { Description = "Training seed (default: the scenario's); validation uses a held-out seed derived from it." };
        var spectrogram = new Option<bool>("--spectrogram-branch")
        {
            Description = "Train GlitchNet v2, the shipped model's network: a low-band spectrogram branch (0.5 s segments, 2 Hz bins, 10-160 Hz) " +
                "beside the time series. It finds more scattered-light arches than v1 and takes about 25 % longer per epoch (README, \"GlitchNet v2\"). " +
                "Default: v1, the time series alone.",
        };
        var vary = new Option<bool>("--vary-noise") { Description = "Domain randomisation: each training stretch is drawn on one of five noise curves (the scenario's, Virgo O2 measured, O4, design, LIGO Hanford O3), with a random forest of wandering, beating lines (probability 0.7) a slow gain envelope (0.5) and, with --breathing, bands whose level swells within a minute, so that no one curve or line pattern is learnt as 'no glitch'. Recorded in model.json (noise_variety)." };
        var init = new Option<DirectoryInfo?>("--init") { Description = "Start from this model folder's weights (fine-tuning) instead of random ones; its classes and network must be the ones this run trains (same scenario classes, same --spectrogram-branch). Ignored when resuming a checkpoint." };
        var fineNotch = new Option<double>("--fine-notch")
        {
            Description = "Conditioning's fine notch for line forests: PSD bins more than this many times their median over +-2 Hz are left out (widened by 1 Hz), beside the 100x / +-32 Hz notch of strong lines; recorded in model.json, so detect, evaluate and stream use it too. 0 turns it off.",
            DefaultValueFactory = _ => TrainOptions.DefaultFineNotchFactor,
        };
        var notch = new Option<double>("--notch")
        {
            Description = "Conditioning's broad notch of strong lines: PSD bins more than this many times their median over +-32 Hz are left out, widened by 10 Hz (default 100). 0 turns it off, so that the fine notch alone (--fine-notch) removes lines and no +-10 Hz margins are lost around them; recorded in model.json.",
            DefaultValueFactory = _ => new Noise.Detection.ConditioningSettings().NotchFactor,
        };
        var breathing = new Option<double>("--breathing")
        {
            Description = "With --vary-noise: the probability that a training stretch breathes in 1-3 bands of its own (10-1500 Hz, depth up to 0.5, period 4-300 s), as real Virgo strain does within a minute (37 % at 10-30 Hz in O2). Default 0 (off), as the shipped model was trained: fine-tuned with 0.5 it did better on the calibrated Virgo O2 twin and worse on O3 at SNR 8-15 (docs/detector.md).",
            DefaultValueFactory = _ => 0,
        };
        var cmd = new Command("train",
            "Train the TorchSharp glitch detector on the twin: windows of whitened strain with balanced glitch classes,\n" +
            "chirps and empty windows, drawn while training, SNR floor falling from 8 to 5 (curriculum), plus the glitch-free\n" +
            "windows it most takes for glitches (hard negatives). Progress per epoch; the best model by validation loss\n" +
            "is kept; rerun the same command to resume after a kill.\n" +
            "Example: noise train --config virgo-o3.yaml --minutes 15 --out models/o3")
        { config, minutes, epochs, outDir, threads, seed, spectrogram, vary, init, fineNotch, notch, breathing };
        cmd.SetAction(r => Run(r.GetValue(config)!, r.GetValue(minutes), r.GetValue(epochs), r.GetValue(outDir)!, r.GetValue(threads), r.GetValue(seed), r.GetValue(spectrogram), r.GetValue(vary), r.GetValue(init), r.GetValue(fineNotch), r.GetValue(notch), r.GetValue(breathing)));
        return cmd;
    }

    /// <summary>The curves --vary-noise draws stretches on besides the scenario's: Virgo O2 measured, O4 and design, LIGO Hanford O3.</summary>
    public static readonly string[] VarietyCurves = ["Hrec_hoft_V1O2Repro2A_16384Hz.txt", "avirgo_O4high_NEW.txt", "AdV_asd.txt", "aligo_O3actual_H1.txt"];

    private static NoiseVariety Variety()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "configs", "curves");
        return new NoiseVariety
        {
            Curves = VarietyCurves.Select(n => Path.Combine(dir, n)).Select(f => File.Exists(f) ? new PsdSpec { File = f, Kind = "asd" }
                : throw new NoiseInputException($"--vary-noise: the curve {f} is missing from this installation")).ToList(),
        };
    }

    private static int Run(FileInfo configFile, double? minutes, int? epochs, DirectoryInfo outDir, int? threadsOpt, long? seed, bool spectrogramBranch, bool vary, DirectoryInfo? init, double fineNotch, double notch, double breathing)
    {
        var scenario = ScenarioLoader.Load(CliOptions.ResolveConfig(configFile).FullName);
        if (minutes is { } m && !(m > 0)) throw new NoiseInputException($"--minutes must be positive, got {m}");
        if (epochs is { } e && e < 1) throw new NoiseInputException($"--epochs must be at least 1, got {e}");
        if (seed is < 0) throw new NoiseInputException($"--seed must be non-negative, got {seed}");
        // a notch factor is a PSD ratio: 0 (off) or above 1 (1 or less would notch the whole band)
        foreach (var (name, factor) in new[] { ("--fine-notch", fineNotch), ("--notch", notch) })
            if (!(factor >= 0) || double.IsInfinity(factor) || factor is > 0 and <= 1) throw new NoiseInputException($"{name} must be 0 (off) or above 1, got {factor}");
        if (notch == 0 && fineNotch == 0) throw new NoiseInputException("--notch 0 with --fine-notch 0 would leave every line in the whitened data: keep one of them");
        if (!(breathing is >= 0 and <= 1)) throw new NoiseInputException($"--breathing is a probability in [0, 1], got {breathing}");
        var options = new TrainOptions
        {
            Scenario = scenario,
            OutDir = outDir.FullName,
            Minutes = minutes ?? (epochs is null ? 15 : 1e6),
            Epochs = epochs ?? 100_000,
            Threads = CliOptions.ResolveThreads(threadsOpt),
            Seed = seed ?? scenario.Seed,
            SpectrogramBranch = spectrogramBranch,
            SoftwareVersion = Program.Version,
            Variety = vary ? Variety() with { BreathingProbability = breathing } : null,
            InitFrom = init?.FullName,
            FineNotchFactor = fineNotch,
            NotchFactor = notch,
        };
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, ev) => { ev.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            Console.Error.WriteLine($"noise {Program.Version}: training on scenario '{scenario.Name}' (seed {options.Seed}), {options.Threads} threads, budget {(minutes is null && epochs is not null ? $"{epochs} epochs" : $"{options.Minutes} min")} -> {options.OutDir}");
            Trainer.Run(options, r => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {r.Epoch,4}  {r.ElapsedSeconds,6:F0} s  train loss {r.TrainLoss:F4}  val loss {r.ValidationLoss:F4}  detection {r.DetectionAccuracy:P1}  class (SNR>=8) {r.ClassAccuracySnrGe8:P1}  SNR floor {r.SnrFloor}  lr {r.LearningRate:0.0e0}  pool {r.PoolSize}  noise max p {r.QuietMax:F4}  hard {r.HardPool}{(r.Best ? "  *best, saved" : "")}")),
                Console.Error.WriteLine, cancel.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        Console.WriteLine($"wrote {Path.Combine(options.OutDir, ModelStore.SpecFile)} (+ {ModelStore.WeightsFile}, {ModelStore.PyTorchFile}, {ModelStore.SafetensorsFile})");
        return 0;
    }
}
