using Noise.Core;
using Noise.Detection.Model;
using Noise.IO;

namespace Noise.Detection.Tests;

public class DetectorTests
{
    private static Scenario O3() => ScenarioLoader.Load(Noise.TestSupport.RepoPaths.Config("virgo-o3.yaml"));

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
        Assert.True(reports[^1].TrainLoss < 0.9 * reports[0].TrainLoss, string.Join(", ", reports.Select(r => r.TrainLoss.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
        foreach (var f in new[] { ModelStore.SpecFile, ModelStore.WeightsFile, ModelStore.PyTorchFile, ModelStore.SafetensorsFile, Trainer.CheckpointWeights, Trainer.CheckpointState })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var (net, loaded, _) = ModelStore.Load(dir);
        net.Dispose();
        Assert.Equal(spec.Classes, loaded.Classes);
        Assert.Equal(2048, loaded.SampleRate);

        // a rerun with a larger budget resumes after the last finished epoch
        reports.Clear();
        Trainer.Run(options with { Epochs = 5 }, reports.Add, _ => { });
        Assert.Equal([5], reports.Select(r => r.Epoch));
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
        var dir = Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "models", "glitchnet-o3");
        var (net, spec, _) = ModelStore.Load(dir);
        using (net)
        {
            var scenario = ScenarioLoader.Load(Noise.TestSupport.RepoPaths.Config("virgo-o3.yaml"));
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

    // measured 2026-11-26 for the shipped model: 1.00 (4 of 4), 0.75 (6 of 8), 0.83 (5 of 6)
    private const double FloorSnr15 = 0.75, FloorSnr8 = 0.5, FloorClass = 0.6;
}
