namespace Noise.Core.Tests;

public class ScenarioLoaderTests
{
    [Theory]
    [InlineData("virgo-o3.yaml")]
    [InlineData("virgo-design.yaml")]
    [InlineData("virgo-o4.yaml")]
    [InlineData("einstein-telescope.yaml")]
    public void ShippedScenariosLoad(string name)
    {
        var s = ScenarioLoader.Load(TestFiles.Config(name));
        Assert.Equal(16384, s.SampleRate);
        Assert.True(File.Exists(s.Psd.File));
        Assert.Equal(64, s.ComputeHash().Length);
    }

    [Fact]
    public void O3ScenarioResolvesItsDefaults()
    {
        var s = ScenarioLoader.Load(TestFiles.Config("virgo-o3.yaml"));
        Assert.Equal("V1:Hrec_hoft_16384Hz", s.Channel);
        Assert.Equal("V1", s.Detector);
        Assert.Equal(DeviceChoice.Auto, s.Device);
        Assert.Equal(10, s.FLow);
    }

    [Fact]
    public void HashDependsOnPhysicsNotOnSeed()
    {
        var s = ScenarioLoader.Load(TestFiles.Config("virgo-o3.yaml"));
        Assert.Equal(s.ComputeHash(), (s with { Seed = 99 }).ComputeHash());
        Assert.NotEqual(s.ComputeHash(), (s with { FLow = 11 }).ComputeHash());
    }

    private static string Write(string yaml)
    {
        var dir = TestFiles.TempDir();
        File.Copy(TestFiles.Config("curves/O3-V1_sensitivity_strain_asd.txt"), Path.Combine(dir, "asd.txt"));
        var p = Path.Combine(dir, "s.yaml");
        File.WriteAllText(p, yaml);
        return p;
    }

    private const string Good = "psd:\n  file: asd.txt\n";

    [Fact]
    public void O3ScenarioHasARealisticGlitchMix()
    {
        var s = ScenarioLoader.Load(TestFiles.Config("virgo-o3.yaml"));
        double total = s.Glitches.Sum(g => g.RatePerHour);
        Assert.InRange(total, 30, 120);   // of order one a minute
        Assert.Contains(s.Glitches, g => g.Name == "Scattered_Light");
        Assert.All(s.Glitches, g => Assert.True(g.Snr.Min >= 6.5));
    }

    [Fact]
    public void GlitchClassesTakeDefaultsForOmittedKeys()
    {
        var s = ScenarioLoader.Load(Write(Good + "glitches:\n  Blip: { rate_per_hour: 7 }\n  Tomte: default\n"));
        Assert.Equal(7, s.Glitches.Single(g => g.Name == "Blip").RatePerHour);
        Assert.Equal(GlitchFamilies.Default("Blip").Frequency, s.Glitches.Single(g => g.Name == "Blip").Frequency);
        Assert.Equal(GlitchFamilies.Default("Tomte"), s.Glitches.Single(g => g.Name == "Tomte"));
    }

    [Fact]
    public void MinimalScenarioTakesDefaults()
    {
        var s = ScenarioLoader.Load(Write(Good));
        Assert.Equal(16384, s.SampleRate);
        Assert.Equal("V1:Hrec_hoft_16384Hz", s.Channel);
    }

    [Theory]
    [InlineData("sampel_rate: 16384\n" + Good, "unknown key 'sampel_rate'")]
    [InlineData("psd:\n  file: asd.txt\n  scale: 2\n", "unknown key 'psd.scale'")]
    [InlineData("sample_rate: fast\n" + Good, "sample_rate: expected an integer")]
    [InlineData("sample_rate: 16384.5\n" + Good, "sample_rate: expected an integer")]
    [InlineData("sample_rate: -4\n" + Good, "sample_rate: -4 Hz is outside")]
    [InlineData("f_low: 9000\n" + Good, "f_low: 9000 Hz must lie in")]
    [InlineData("f_low: [1, 2]\n" + Good, "f_low: expected a single value")]
    [InlineData("seed: -1\n" + Good, "seed: seed must be a non-negative")]
    [InlineData("device: tpu\n" + Good, "device: 'tpu' is not one of")]
    [InlineData("gps_start: 1238166018.00001\n" + Good, "gps_start")]
    [InlineData("channel: hoft\n" + Good, "channel: 'hoft' is not a channel name")]
    [InlineData("seed: 3\n", "missing key 'psd'")]
    [InlineData("psd:\n  file: missing.txt\n", "psd.file: curve file 'missing.txt' not found")]
    [InlineData("psd:\n  file: asd.txt\n  model: white\n", "exactly one of")]
    [InlineData("psd:\n  model: pink\n", "psd.model: unknown model 'pink'")]
    [InlineData("psd:\n  file: asd.txt\n  asd_scale: 0\n", "psd.asd_scale: must be a positive number")]
    [InlineData("psd:\n  file: asd.txt\n  kind: dB\n", "psd.kind: 'dB' is not asd or psd")]
    [InlineData("sample_rate: 32768\n" + Good, "psd ends at 8192 Hz")]
    [InlineData("- a\n- b\n", "must be a YAML mapping")]
    [InlineData(Good + "glitches:\n  Blip: { rate_per_hour: -1 }\n", "glitches.Blip.rate_per_hour: a rate cannot be negative")]
    [InlineData(Good + "glitches:\n  Blip: { snr: [50, 8] }\n", "glitches.Blip.snr: range upside down: [50, 8]")]
    [InlineData(Good + "glitches:\n  Bleep: { rate_per_hour: 3 }\n", "unknown key 'glitches.Bleep'")]
    [InlineData(Good + "glitches:\n  Whistle: { frequency: [300, 9000] }\n", "glitches.Whistle.frequency: 9000 Hz is at or above the Nyquist frequency")]
    [InlineData(Good + "glitches:\n  Blip: { rate: 3 }\n", "unknown key 'glitches.Blip.rate'")]
    [InlineData(Good + "glitches:\n  Blip: { snr: 8 }\n", "glitches.Blip.snr: expected a range [min, max]")]
    [InlineData(Good + "glitches: [Blip]\n", "glitches: must be a mapping")]
    [InlineData(Good + "injections:\n  rate_per_hour: -2\n", "injections.rate_per_hour: a rate cannot be negative")]
    [InlineData(Good + "injections:\n  chirp_mass: [30, 5]\n", "injections.chirp_mass: range upside down")]
    [InlineData(Good + "injections:\n  chirp_mass: [0.3, 5]\n", "lasts")]
    [InlineData(Good + "injections:\n  f_start: 5\n", "injections.f_start: 5 Hz must lie in [f_low, sample_rate/2)")]
    [InlineData(Good + "injections:\n  masses: [1, 2]\n", "unknown key 'injections.masses'")]
    [InlineData(Good + "lines:\n  - { name: mains, frequency: 50, amplitude: 1e-22, harmonics: 200 }\n", "lines.mains.harmonics: must be 1..64")]
    [InlineData(Good + "lines:\n  - { name: high, frequency: 5000, amplitude: 1e-22, harmonics: 2 }\n", "lines.high.harmonics: harmonic 2 at 10000 Hz is at or above the Nyquist frequency")]
    [InlineData(Good + "lines:\n  - { name: nof, amplitude: 1e-22 }\n", "lines.nof.frequency: a positive frequency in Hz is required")]
    [InlineData(Good + "lines:\n  - { name: x, frequency: 50, amplitude: 1e-22, colour: red }\n", "unknown key 'lines[0].colour'")]
    [InlineData(Good + "lines:\n  mains: 50\n", "lines: must be a list")]
    [InlineData(Good + "breathing:\n  - { name: seismic, band: [10, 20], depth: 1.2, period: 3600 }\n", "breathing.seismic.depth: a modulation depth in [0, 1) is required")]
    [InlineData(Good + "breathing:\n  - { name: hi, band: [10, 9000], depth: 0.2, period: 3600 }\n", "breathing.hi.band: a band [min, max] inside [0, 8192] Hz is required")]
    [InlineData(Good + "breathing:\n  - { name: p, band: [10, 20], depth: 0.2, period: 0 }\n", "breathing.p.period: a positive period")]
    [InlineData(Good + "breathing:\n  - { band: [10, 20], depth: 0.2, period: 1 }\n  - { band: [10, 20], depth: 0.2, period: 1 }\n  - { band: [10, 20], depth: 0.2, period: 1 }\n  - { band: [10, 20], depth: 0.2, period: 1 }\n  - { band: [10, 20], depth: 0.2, period: 1 }\n", "at most 4 bands")]
    [InlineData(Good + "lock: { loss_rate_per_hour: -1 }\n", "lock.loss_rate_per_hour: a rate cannot be negative")]
    [InlineData(Good + "lock: { relock: [600, 60] }\n", "lock.relock: range upside down")]
    [InlineData(Good + "lock: { relock_time: 60 }\n", "unknown key 'lock.relock_time'")]
    [InlineData(Good + "witnesses:\n  - { name: V1:ENV_MIC, kind: microphone, sample_rate: 16384, floor: 1e-3 }\n", "witnesses.V1:ENV_MIC.sample_rate: 16384 Hz must lie in 1..8192 Hz (at most the strain's Nyquist frequency)")]
    [InlineData(Good + "witnesses:\n  - { name: V1:ENV_X, kind: barometer, sample_rate: 64, floor: 1 }\n", "witnesses.V1:ENV_X.kind: 'barometer' is not one of")]
    [InlineData(Good + "witnesses:\n  - { name: V1:ENV_X, kind: magnetometer, sample_rate: 64, floor: 0 }\n", "witnesses.V1:ENV_X.floor: a positive noise floor in T/sqrt(Hz)")]
    [InlineData(Good + "witnesses:\n  - { name: seis, kind: seismometer, sample_rate: 64, floor: 1 }\n", "witnesses[0].name: 'seis' is not a channel name")]
    [InlineData(Good + "disturbances:\n  Truck: { rate_per_hour: 2 }\n", "disturbances.Truck: needs a seismometer in 'witnesses'")]
    [InlineData(Good + "witnesses:\n  - { name: V1:ENV_SEIS, kind: seismometer, sample_rate: 128, floor: 1e-9 }\ndisturbances:\n  Tornado: { rate_per_hour: 2 }\n", "unknown key 'disturbances.Tornado'")]
    [InlineData(Good + "witnesses:\n  - { name: V1:ENV_SEIS, kind: seismometer, sample_rate: 128, floor: 1e-9 }\ndisturbances:\n  Truck: { rate_per_hour: -2 }\n", "disturbances.Truck.rate_per_hour: a rate cannot be negative")]
    [InlineData(Good + "witnesses:\n  - { name: V1:ENV_SEIS, kind: seismometer, sample_rate: 128, floor: 1e-9 }\ndisturbances:\n  Truck: { amplitude: [1e-6, 1e-8] }\n", "disturbances.Truck.amplitude: range upside down")]
    [InlineData(Good + "witnesses:\n  - { name: V1:ENV_SEIS, kind: seismometer, sample_rate: 128, floor: 1e-9 }\ndisturbances:\n  Truck: { frequency: [1, 100] }\n", "disturbances.Truck.frequency: 100 Hz is at or above the Nyquist frequency of its witness V1:ENV_SEIS (64 Hz)")]
    [InlineData(Good + "witnesses:\n  - { name: V1:ENV_SEIS, kind: seismometer, sample_rate: 128, floor: 1e-9 }\ndisturbances:\n  Earthquake: { fringe_amplitude: 1e-22 }\n", "unknown key 'disturbances.Earthquake.fringe_amplitude'")]
    [InlineData("psd: [\n", "invalid YAML")]
    public void BadInputNamesTheKeyAndFile(string yaml, string message)
    {
        var p = Write(yaml);
        var e = Assert.Throws<NoiseInputException>(() => ScenarioLoader.Load(p));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(p, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CurveStartingAboveFLowIsRejected()
    {
        var dir = TestFiles.TempDir();
        File.Copy(TestFiles.Config("curves/AdV_asd.txt"), Path.Combine(dir, "adv.txt"));
        var p = Path.Combine(dir, "s.yaml");
        File.WriteAllText(p, "f_low: 5\npsd:\n  file: adv.txt\n");
        var e = Assert.Throws<NoiseInputException>(() => ScenarioLoader.Load(p));
        Assert.Contains("psd starts at 10 Hz, above f_low = 5 Hz", e.Message, StringComparison.Ordinal);
    }
}

public class GwEventsTests
{
    [Fact]
    public void EventListsInGwoscLayoutJoinWithEachEventOnce()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var a = Path.Combine(dir, "a.json");
        var b = Path.Combine(dir, "b.json");
        File.WriteAllText(a, """{"_source": "test", "LVT151012": {"name": "LVT151012", "tevent": 1128678900.44}, "GW150914": {"tevent": 1126259462.44}}""");
        File.WriteAllText(b, """{"GW151012": {"name": "GW151012", "tevent": 1128678900.44}, "GW170104": {"name": "GW170104", "tevent": 1167559936.6}}""");
        var all = Noise.Core.GwEvents.LoadAll([a, b]);
        Assert.Equal(["GW150914", "LVT151012", "GW170104"], all.Select(e => e.Name));
        Assert.Equal(1126259462.44, all[0].Gps);
        File.WriteAllText(b, "[1, 2]");
        var e = Assert.Throws<Noise.Core.NoiseInputException>(() => Noise.Core.GwEvents.Load(b));
        Assert.Contains("b.json", e.Message, StringComparison.Ordinal);
    }
}
