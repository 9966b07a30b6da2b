namespace Noise.Cli.Tests;

/// <summary>Every bad input: exit code 2, exactly one line on stderr, and nothing written.</summary>
public class BadInputTests
{
    private static void AssertOneLineError(string[] args, string expected, string outDir)
    {
        var (code, _, err) = CliHarness.Run(args);
        Assert.Equal(2, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "stderr should be one line, got:\n" + err);
        Assert.StartsWith("noise: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.True(!Directory.Exists(outDir) || Directory.GetFiles(outDir).Length == 0, "no output may be written");
    }

    private static string BadScenario(string yaml, string? curve = null)
    {
        var dir = CliHarness.TempDir();
        File.WriteAllText(Path.Combine(dir, "asd.txt"), curve ?? File.ReadAllText(CliHarness.Config("curves/O3-V1_sensitivity_strain_asd.txt")));
        var p = Path.Combine(dir, "s.yaml");
        File.WriteAllText(p, yaml);
        return p;
    }

    /// <summary>A shipped scenario by its bare name, with or without .yaml; a path is taken as it is; an unknown name stays unresolved (and Load says "not found").</summary>
    [Fact]
    public void ShippedScenariosResolveByBareName()
    {
        Assert.Equal("virgo-o3.yaml", Commands.CliOptions.ResolveConfig(new FileInfo("virgo-o3")).Name);
        Assert.True(Commands.CliOptions.ResolveConfig(new FileInfo("virgo-o3")).Exists);
        Assert.True(Commands.CliOptions.ResolveConfig(new FileInfo("einstein-telescope.yaml")).Exists);
        Assert.False(Commands.CliOptions.ResolveConfig(new FileInfo("./virgo-o3")).Exists);
        Assert.False(Commands.CliOptions.ResolveConfig(new FileInfo("virgo-o5")).Exists);
    }

    [Fact]
    public void MissingRequiredOption()
    {
        var o = Path.Combine(CliHarness.TempDir(), "out");
        AssertOneLineError(["simulate", "--duration", "4", "--out", o], "--config", o);
    }

    [Fact]
    public void UnknownVerbAndUnknownFlag()
    {
        var o = Path.Combine(CliHarness.TempDir(), "out");
        AssertOneLineError(["simulat"], "simulat", o);
        AssertOneLineError(["simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", "4", "--out", o, "--sede", "3"], "--sede", o);
    }

    [Theory]
    [InlineData("-4", "--duration must be a positive number")]
    [InlineData("0.00001", "not a whole number of samples")]
    [InlineData("abc", "abc")]
    public void BadDuration(string duration, string message)
    {
        var o = Path.Combine(CliHarness.TempDir(), "out");
        AssertOneLineError(["simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", duration, "--out", o], message, o);
    }

    [Fact]
    public void BadFlagValues()
    {
        var o = Path.Combine(CliHarness.TempDir(), "out");
        var cfg = CliHarness.Config("virgo-o3.yaml");
        AssertOneLineError(["simulate", "--config", cfg, "--duration", "4", "--out", o, "--format", "csv"], "csv", o);
        AssertOneLineError(["simulate", "--config", cfg, "--duration", "4", "--out", o, "--device", "tpu"], "tpu", o);
        AssertOneLineError(["simulate", "--config", cfg, "--duration", "4", "--out", o, "--seed", "-3"], "--seed must be non-negative", o);
        AssertOneLineError(["simulate", "--config", cfg, "--duration", "4", "--out", o, "--gps-start", "1238166018.00001"], "does not fall on a sample boundary", o);
        AssertOneLineError(["simulate", "--config", cfg, "--duration", "4", "--out", o, "--block", "0"], "--block must be positive", o);
        AssertOneLineError(["simulate", "--config", cfg, "--duration", "4", "--out", o, "--threads", "0"], "--threads must be at least 1", o);
    }

    [Fact]
    public void ScenarioErrorsNameKeyAndFile()
    {
        var o = Path.Combine(CliHarness.TempDir(), "out");
        var p = BadScenario("sampel_rate: 16384\npsd:\n  file: asd.txt\n");
        AssertOneLineError(["simulate", "--config", p, "--duration", "4", "--out", o], $"{p}:1: unknown key 'sampel_rate'", o);
        p = BadScenario("f_low: high\npsd:\n  file: asd.txt\n");
        AssertOneLineError(["simulate", "--config", p, "--duration", "4", "--out", o], "f_low: expected a number, found 'high'", o);
        AssertOneLineError(["simulate", "--config", "/nonexistent/s.yaml", "--duration", "4", "--out", o], "scenario file not found", o);
    }

    [Fact]
    public void CorruptAndTruncatedCurvesGiveAClearErrorAndNoOutput()
    {
        var o = Path.Combine(CliHarness.TempDir(), "out");
        var p = BadScenario("psd:\n  file: asd.txt\n", "10 1e-22\n20 2e-22\n30 garbage\n");
        AssertOneLineError(["simulate", "--config", p, "--duration", "4", "--out", o], "asd.txt:3: not a number", o);
        var full = File.ReadAllText(CliHarness.Config("curves/O3-V1_sensitivity_strain_asd.txt"));
        p = BadScenario("psd:\n  file: asd.txt\n", full[..(full.Length / 2)]);   // cut mid-line
        AssertOneLineError(["simulate", "--config", p, "--duration", "4", "--out", o], "asd.txt", o);
    }

    [SkippableFact]
    public void CudaRequestedWithoutAGpu()
    {
        Skip.If(Noise.Simulation.ComputeDevice.ListCudaDevices().Count > 0, "a CUDA device is present");
        var o = Path.Combine(CliHarness.TempDir(), "out");
        AssertOneLineError(["simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", "4", "--out", o, "--device", "cuda"], "no CUDA device", o);
    }

    [Fact]
    public void PsdOfAMissingFile()
    {
        var (code, _, err) = CliHarness.Run("psd", "--in", "/nonexistent/x.hdf5");
        Assert.Equal(2, code);
        Assert.Contains("file not found", err, StringComparison.Ordinal);
    }
}
