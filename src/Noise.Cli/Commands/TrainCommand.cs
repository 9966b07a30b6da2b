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
        var cmd = new Command("train",
            "Train the TorchSharp glitch detector on the twin: windows of whitened strain with balanced glitch classes,\n" +
            "chirps and empty windows, drawn while training, SNR floor falling from 8 to 5 (curriculum), plus the glitch-free\n" +
            "windows it most takes for glitches (hard negatives). Progress per epoch; the best model by validation loss\n" +
            "is kept; rerun the same command to resume after a kill.\n" +
            "Example: noise train --config virgo-o3.yaml --minutes 15 --out models/o3")
        { config, minutes, epochs, outDir, threads, seed, spectrogram };
        cmd.SetAction(r => Run(r.GetValue(config)!, r.GetValue(minutes), r.GetValue(epochs), r.GetValue(outDir)!, r.GetValue(threads), r.GetValue(seed), r.GetValue(spectrogram)));
        return cmd;
    }

    private static int Run(FileInfo configFile, double? minutes, int? epochs, DirectoryInfo outDir, int? threadsOpt, long? seed, bool spectrogramBranch)
    {
        var scenario = ScenarioLoader.Load(CliOptions.ResolveConfig(configFile).FullName);
        if (minutes is { } m && !(m > 0)) throw new NoiseInputException($"--minutes must be positive, got {m}");
        if (epochs is { } e && e < 1) throw new NoiseInputException($"--epochs must be at least 1, got {e}");
        if (seed is < 0) throw new NoiseInputException($"--seed must be non-negative, got {seed}");
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
