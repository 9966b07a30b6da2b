using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Noise.Core;

/// <summary>
/// Reads a scenario YAML file strictly: unknown keys, wrong types and impossible values are errors that name
/// the file, the line and the key, so a typo never silently falls back to a default.
/// </summary>
public static partial class ScenarioLoader
{
    private static readonly string[] TopKeys = ["name", "description", "channel", "sample_rate", "gps_start", "seed", "psd", "f_low", "device", "glitches", "injections", "lines", "breathing", "lock", "witnesses", "disturbances", "calibrated_from"];
    private static readonly string[] LockKeys = ["loss_rate_per_hour", "relock", "earthquake_velocity"];
    private static readonly string[] WitnessKeys = ["name", "kind", "sample_rate", "floor"];
    private static readonly string[] DisturbanceKeys = ["rate_per_hour", "amplitude", "frequency", "duration", "coupling"];
    private static readonly string[] BreathingKeys = ["name", "band", "depth", "period"];
    private static readonly string[] LineKeys = ["name", "frequency", "amplitude", "harmonics", "harmonic_ratio", "frequency_wander", "amplitude_wander"];
    private static readonly string[] InjectionKeys = ["rate_per_hour", "snr", "snr_power", "chirp_mass", "f_start"];
    private static readonly string[] GlitchKeys = ["rate_per_hour", "snr", "snr_power", "frequency", "q", "duration"];
    private static readonly string[] PsdKeys = ["file", "kind", "model", "asd_scale", "source"];

    [GeneratedRegex(@"^[A-Z][A-Z0-9]:[A-Za-z0-9_\-]+$")]
    private static partial Regex ChannelPattern();

    /// <summary>A channel name as scenarios and streams take them: IFO:NAME, e.g. V1:Hrec_hoft_16384Hz.</summary>
    public static bool IsChannelName(string name) => ChannelPattern().IsMatch(name);

    public static Scenario Load(string path)
    {
        if (!File.Exists(path)) throw new NoiseInputException($"{path}: scenario file not found");
        var text = File.ReadAllText(path);
        return Parse(text, path);
    }

    public static Scenario Parse(string yaml, string path)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new NoiseInputException($"{path}:{e.Start.Line}: invalid YAML: {e.Message}"); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new NoiseInputException($"{path}: a scenario must be a YAML mapping of keys to values");

        var r = new Reader(path);
        r.CheckKeys(root, TopKeys, "");
        // where a calibrated scenario comes from (noise calibrate): a record for people and tools, not physics
        if (root.Children.TryGetValue(new YamlScalarNode("calibrated_from"), out var from) && from is not YamlMappingNode)
            throw r.Error(root, "calibrated_from", "must be a mapping (files, software, measured), as noise calibrate writes it");
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";

        var channel = r.String(root, "channel", Scenario.DefaultChannel);
        if (!ChannelPattern().IsMatch(channel))
            throw r.Error(root, "channel", $"'{channel}' is not a channel name like V1:Hrec_hoft_16384Hz");
        var rate = r.Integer(root, "sample_rate", Scenario.DefaultSampleRate);
        if (rate < 16 || rate > 1 << 20) throw r.Error(root, "sample_rate", $"{rate} Hz is outside 16..1048576 Hz");
        var fLow = r.Number(root, "f_low", 10.0);
        if (fLow < 0 || fLow >= rate / 2.0) throw r.Error(root, "f_low", $"{fLow} Hz must lie in [0, sample_rate/2 = {rate / 2.0}) Hz");
        var gpsDec = r.Decimal(root, "gps_start", 1238166018m);
        if (gpsDec < 0) throw r.Error(root, "gps_start", "GPS time must be non-negative");
        var gps = GpsTime.FromDecimal(gpsDec);
        if ((long)gps.Nanoseconds * rate % GpsTime.NanosPerSecond != 0)
            throw r.Error(root, "gps_start", $"{gps} does not fall on a sample boundary at {rate} Hz");
        var seed = r.Integer64(root, "seed", 1);
        if (seed < 0) throw r.Error(root, "seed", "seed must be a non-negative integer");
        var device = r.String(root, "device", "auto") switch
        {
            "auto" => DeviceChoice.Auto,
            "cpu" => DeviceChoice.Cpu,
            "cuda" => DeviceChoice.Cuda,
            var d => throw r.Error(root, "device", $"'{d}' is not one of auto, cpu, cuda"),
        };

        if (!root.Children.TryGetValue(new YamlScalarNode("psd"), out var psdNode))
            throw new NoiseInputException($"{path}: missing key 'psd' (a curve file or an analytic model)");
        if (psdNode is not YamlMappingNode psdMap) throw r.Error(root, "psd", "must be a mapping with 'file' or 'model'");
        r.CheckKeys(psdMap, PsdKeys, "psd.");
        var file = r.OptionalString(psdMap, "file", "psd.");
        var model = r.OptionalString(psdMap, "model", "psd.");
        if ((file is null) == (model is null))
            throw new NoiseInputException($"{path}:{psdNode.Start.Line}: psd needs exactly one of 'file' or 'model'");
        var kind = r.String(psdMap, "kind", "asd", "psd.");
        if (kind is not ("asd" or "psd")) throw r.Error(psdMap, "kind", $"'{kind}' is not asd or psd", "psd.");
        var scale = r.Number(psdMap, "asd_scale", 1.0, "psd.");
        if (!(scale > 0) || !double.IsFinite(scale)) throw r.Error(psdMap, "asd_scale", "must be a positive number", "psd.");
        if (model is not null && !AnalyticPsd.Models.Contains(model))
            throw r.Error(psdMap, "model", $"unknown model '{model}' (known: {string.Join(", ", AnalyticPsd.Models)})", "psd.");
        string? filePath = null;
        if (file is not null)
        {
            filePath = Path.GetFullPath(Path.Combine(baseDir, file));
            if (!File.Exists(filePath)) throw r.Error(psdMap, "file", $"curve file '{file}' not found (looked in {filePath})", "psd.");
        }

        var glitches = ParseGlitches(r, root, rate);
        var injections = ParseInjections(r, root, rate, fLow);
        var lines = ParseLines(r, root, rate);
        var breathing = ParseBreathing(r, root, rate);
        var lockSpec = ParseLock(r, root);
        var witnesses = ParseWitnesses(r, root, rate);
        var disturbances = ParseDisturbances(r, root, witnesses);

        var scenario = new Scenario
        {
            Glitches = glitches,
            Injections = injections,
            Lines = lines,
            Breathing = breathing,
            Lock = lockSpec,
            Witnesses = witnesses,
            Disturbances = disturbances,
            Name = r.String(root, "name", Path.GetFileNameWithoutExtension(path)),
            Description = r.String(root, "description", ""),
            Channel = channel,
            SampleRate = rate,
            GpsStart = gps,
            Seed = seed,
            FLow = fLow,
            Device = device,
            Psd = new PsdSpec { File = filePath, Kind = kind, Model = model, AsdScale = scale },
            SourcePath = path,
        };
        Validate(scenario);
        return scenario;
    }

    private static List<GlitchClassSpec> ParseGlitches(Reader r, YamlMappingNode root, int rate)
    {
        var list = new List<GlitchClassSpec>();
        if (!root.Children.TryGetValue(new YamlScalarNode("glitches"), out var node)) return list;
        if (node is not YamlMappingNode classes)
            throw r.Error(root, "glitches", "must be a mapping of glitch class to its settings, e.g. Blip: { rate_per_hour: 20 }");
        r.CheckKeys(classes, GlitchFamilies.Names.ToArray(), "glitches.");
        foreach (var (k, v) in classes.Children)
        {
            var name = ((YamlScalarNode)k).Value!;
            var prefix = $"glitches.{name}.";
            var d = GlitchFamilies.Default(name);
            if (v is YamlScalarNode { Value: null or "" or "default" }) { list.Add(d); continue; }
            if (v is not YamlMappingNode m) throw r.Error(classes, name, "must be a mapping (or 'default')", "glitches.");
            r.CheckKeys(m, GlitchKeys, prefix);
            var spec = d with
            {
                RatePerHour = r.Number(m, "rate_per_hour", d.RatePerHour, prefix),
                Snr = r.Range(m, "snr", d.Snr, prefix),
                SnrPower = r.Number(m, "snr_power", d.SnrPower, prefix),
                Frequency = r.Range(m, "frequency", d.Frequency, prefix),
                Q = r.Range(m, "q", d.Q, prefix),
                Duration = r.Range(m, "duration", d.Duration, prefix),
            };
            if (spec.RatePerHour < 0) throw r.Error(m, "rate_per_hour", $"a rate cannot be negative ({spec.RatePerHour})", prefix);
            if (spec.Snr.Min <= 0) throw r.Error(m, "snr", "SNRs must be positive", prefix);
            if (spec.Frequency.Max >= rate / 2.0)
                throw r.Error(m, "frequency", $"{spec.Frequency.Max} Hz is at or above the Nyquist frequency {rate / 2.0} Hz", prefix);
            if (spec.Frequency.Min <= 0 || spec.Q.Min <= 0 || spec.Duration.Min <= 0)
                throw r.Error(m, spec.Frequency.Min <= 0 ? "frequency" : spec.Q.Min <= 0 ? "q" : "duration", "must be positive", prefix);
            list.Add(spec);
        }
        return list;
    }

    private static LockSpec? ParseLock(Reader r, YamlMappingNode root)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode("lock"), out var node)) return null;
        if (node is not YamlMappingNode m) throw r.Error(root, "lock", "must be a mapping, e.g. { loss_rate_per_hour: 0.1, relock: [900, 7200] }");
        const string prefix = "lock.";
        r.CheckKeys(m, LockKeys, prefix);
        var d = new LockSpec();
        var spec = new LockSpec
        {
            LossRatePerHour = r.Number(m, "loss_rate_per_hour", d.LossRatePerHour, prefix),
            Relock = r.Range(m, "relock", d.Relock, prefix),
            EarthquakeVelocity = r.Number(m, "earthquake_velocity", d.EarthquakeVelocity, prefix),
        };
        if (spec.LossRatePerHour < 0) throw r.Error(m, "loss_rate_per_hour", $"a rate cannot be negative ({spec.LossRatePerHour})", prefix);
        if (spec.Relock.Min <= 0 || spec.Relock.Max > LockSpec.MaxRelockSeconds)
            throw r.Error(m, "relock", $"relock times must lie in (0, {LockSpec.MaxRelockSeconds}] seconds", prefix);
        if (!(spec.EarthquakeVelocity > 0)) throw r.Error(m, "earthquake_velocity", "must be a positive ground velocity in m/s", prefix);
        return spec;
    }

    private static List<WitnessSpec> ParseWitnesses(Reader r, YamlMappingNode root, int rate)
    {
        var list = new List<WitnessSpec>();
        if (!root.Children.TryGetValue(new YamlScalarNode("witnesses"), out var node)) return list;
        if (node is not YamlSequenceNode seq)
            throw r.Error(root, "witnesses", "must be a list of channels, e.g. - { name: V1:ENV_CEB_SEIS_V, kind: seismometer, sample_rate: 128, floor: 2.0e-9 }");
        int i = 0;
        foreach (var item in seq.Children)
        {
            var prefix = $"witnesses[{i}].";
            if (item is not YamlMappingNode m) throw new NoiseInputException($"{r.Path}:{item.Start.Line}: {prefix[..^1]}: must be a mapping");
            r.CheckKeys(m, WitnessKeys, prefix);
            var name = r.String(m, "name", "", prefix);
            if (!ChannelPattern().IsMatch(name)) throw r.Error(m, "name", $"'{name}' is not a channel name like V1:ENV_CEB_SEIS_V", prefix);
            prefix = $"witnesses.{name}.";
            var kindText = r.String(m, "kind", "", prefix);
            if (!Enum.TryParse<WitnessKind>(kindText, ignoreCase: true, out var kind) || kindText.Length == 0 || char.IsDigit(kindText[0]))
                throw r.Error(m, "kind", $"'{kindText}' is not one of seismometer, microphone, magnetometer", prefix);
            var spec = new WitnessSpec
            {
                Name = name,
                Kind = kind,
                SampleRate = r.Integer(m, "sample_rate", 0, prefix),
                Floor = r.Number(m, "floor", double.NaN, prefix),
            };
            if (spec.SampleRate < 1 || spec.SampleRate > rate / 2)
                throw r.Error(m, "sample_rate", $"{spec.SampleRate} Hz must lie in 1..{rate / 2} Hz (at most the strain's Nyquist frequency)", prefix);
            if (!(spec.Floor > 0)) throw r.Error(m, "floor", $"a positive noise floor in {spec.Unit}/sqrt(Hz) is required", prefix);
            if (list.Any(w => w.Name == name)) throw r.Error(m, "name", $"channel '{name}' is listed twice", prefix);
            if (list.Any(w => w.Kind == kind)) throw r.Error(m, "kind", $"one {kindText} per scenario (the disturbances each have one witness)", prefix);
            list.Add(spec);
            i++;
        }
        return list;
    }

    private static List<DisturbanceSpec> ParseDisturbances(Reader r, YamlMappingNode root, IReadOnlyList<WitnessSpec> witnesses)
    {
        var list = new List<DisturbanceSpec>();
        if (!root.Children.TryGetValue(new YamlScalarNode("disturbances"), out var node)) return list;
        if (node is not YamlMappingNode families)
            throw r.Error(root, "disturbances", "must be a mapping of disturbance to its settings, e.g. Truck: { rate_per_hour: 6 }");
        r.CheckKeys(families, DisturbanceFamilies.Names.ToArray(), "disturbances.");
        foreach (var (k, v) in families.Children)
        {
            var name = ((YamlScalarNode)k).Value!;
            var prefix = $"disturbances.{name}.";
            var d = DisturbanceFamilies.Default(name);
            var witness = witnesses.FirstOrDefault(w => w.Kind == d.Witness)
                ?? throw r.Error(families, name, $"needs a {d.Witness.ToString().ToLowerInvariant()} in 'witnesses'", "disturbances.");
            if (v is YamlScalarNode { Value: null or "" or "default" }) { list.Add(d); continue; }
            if (v is not YamlMappingNode m) throw r.Error(families, name, "must be a mapping (or 'default')", "disturbances.");
            r.CheckKeys(m, name == "Truck" ? [.. DisturbanceKeys, "fringe_amplitude"] : DisturbanceKeys, prefix);
            var spec = d with
            {
                RatePerHour = r.Number(m, "rate_per_hour", d.RatePerHour, prefix),
                Amplitude = r.Range(m, "amplitude", d.Amplitude, prefix),
                Frequency = r.Range(m, "frequency", d.Frequency, prefix),
                Duration = r.Range(m, "duration", d.Duration, prefix),
                Coupling = r.Number(m, "coupling", d.Coupling, prefix),
                FringeAmplitude = r.Number(m, "fringe_amplitude", d.FringeAmplitude, prefix),
            };
            if (spec.RatePerHour < 0) throw r.Error(m, "rate_per_hour", $"a rate cannot be negative ({spec.RatePerHour})", prefix);
            if (spec.Amplitude.Min <= 0) throw r.Error(m, "amplitude", $"amplitudes must be positive ({witness.Unit} at the witness)", prefix);
            if (spec.Frequency.Min <= 0) throw r.Error(m, "frequency", "must be positive", prefix);
            if (spec.Frequency.Max >= witness.SampleRate / 2.0)
                throw r.Error(m, "frequency", $"{spec.Frequency.Max} Hz is at or above the Nyquist frequency of its witness {witness.Name} ({witness.SampleRate / 2.0} Hz)", prefix);
            if (spec.Duration.Min <= 0 || spec.Duration.Max > 3600) throw r.Error(m, "duration", "durations must lie in (0, 3600] seconds", prefix);
            if (spec.Coupling < 0 || spec.FringeAmplitude < 0)
                throw r.Error(m, spec.Coupling < 0 ? "coupling" : "fringe_amplitude", "must be non-negative", prefix);
            list.Add(spec);
        }
        return list;
    }

    private static List<BreathingSpec> ParseBreathing(Reader r, YamlMappingNode root, int rate)
    {
        var list = new List<BreathingSpec>();
        if (!root.Children.TryGetValue(new YamlScalarNode("breathing"), out var node)) return list;
        if (node is not YamlSequenceNode seq)
            throw r.Error(root, "breathing", "must be a list of bands, e.g. - { name: microseism, band: [10, 20], depth: 0.3, period: 21600 }");
        if (seq.Children.Count > BreathingSpec.MaxBands)
            throw r.Error(root, "breathing", $"at most {BreathingSpec.MaxBands} bands, found {seq.Children.Count}");
        int i = 0;
        foreach (var item in seq.Children)
        {
            if (item is not YamlMappingNode m) throw new NoiseInputException($"{r.Path}:{item.Start.Line}: breathing[{i}]: must be a mapping");
            r.CheckKeys(m, BreathingKeys, $"breathing[{i}].");
            var name = r.String(m, "name", $"band{i}", $"breathing[{i}].");
            var prefix = $"breathing.{name}.";
            var spec = new BreathingSpec
            {
                Name = name,
                Band = r.Range(m, "band", new ParamRange(double.NaN, double.NaN), prefix),
                Depth = r.Number(m, "depth", double.NaN, prefix),
                Period = r.Number(m, "period", double.NaN, prefix),
            };
            if (double.IsNaN(spec.Band.Min) || spec.Band.Min < 0 || spec.Band.Max > rate / 2.0 || spec.Band.Min >= spec.Band.Max)
                throw r.Error(m, "band", $"a band [min, max] inside [0, {rate / 2.0}] Hz is required", prefix);
            if (!(spec.Depth >= 0 && spec.Depth < 1)) throw r.Error(m, "depth", "a modulation depth in [0, 1) is required", prefix);
            if (!(spec.Period > 0)) throw r.Error(m, "period", "a positive period in seconds is required", prefix);
            list.Add(spec);
            i++;
        }
        return list;
    }

    private static List<LineSpec> ParseLines(Reader r, YamlMappingNode root, int rate)
    {
        var list = new List<LineSpec>();
        if (!root.Children.TryGetValue(new YamlScalarNode("lines"), out var node)) return list;
        if (node is not YamlSequenceNode seq)
            throw r.Error(root, "lines", "must be a list of line families, e.g. - { name: mains, frequency: 50, amplitude: 1e-22, harmonics: 3 }");
        int i = 0;
        foreach (var item in seq.Children)
        {
            var prefix = $"lines[{i}].";
            if (item is not YamlMappingNode m) throw new NoiseInputException($"{r.Path}:{item.Start.Line}: {prefix[..^1]}: must be a mapping");
            r.CheckKeys(m, LineKeys, prefix);
            var name = r.String(m, "name", $"line{i}", prefix);
            prefix = $"lines.{name}.";
            var spec = new LineSpec
            {
                Name = name,
                Frequency = r.Number(m, "frequency", double.NaN, prefix),
                Amplitude = r.Number(m, "amplitude", double.NaN, prefix),
                Harmonics = r.Integer(m, "harmonics", 1, prefix),
                HarmonicRatio = r.Number(m, "harmonic_ratio", 0.5, prefix),
                FrequencyWander = r.Number(m, "frequency_wander", 0, prefix),
                AmplitudeWander = r.Number(m, "amplitude_wander", 0, prefix),
            };
            if (double.IsNaN(spec.Frequency) || spec.Frequency <= 0) throw r.Error(m, "frequency", "a positive frequency in Hz is required", prefix);
            if (double.IsNaN(spec.Amplitude) || spec.Amplitude < 0) throw r.Error(m, "amplitude", "a non-negative peak strain amplitude is required", prefix);
            if (spec.Harmonics < 1 || spec.Harmonics > 64) throw r.Error(m, "harmonics", "must be 1..64", prefix);
            if (spec.Frequency * spec.Harmonics >= rate / 2.0)
                throw r.Error(m, spec.Harmonics > 1 ? "harmonics" : "frequency", $"harmonic {spec.Harmonics} at {spec.Frequency * spec.Harmonics} Hz is at or above the Nyquist frequency {rate / 2.0} Hz", prefix);
            if (spec.HarmonicRatio < 0 || spec.FrequencyWander < 0 || spec.AmplitudeWander is < 0 or >= 1)
                throw r.Error(m, spec.HarmonicRatio < 0 ? "harmonic_ratio" : spec.FrequencyWander < 0 ? "frequency_wander" : "amplitude_wander", "out of range (ratios and wanders are non-negative; amplitude_wander below 1)", prefix);
            list.Add(spec);
            i++;
        }
        return list;
    }

    private static GlitchClassSpec? ParseInjections(Reader r, YamlMappingNode root, int rate, double fLow)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode("injections"), out var node)) return null;
        if (node is not YamlMappingNode m) throw r.Error(root, "injections", "must be a mapping, e.g. { rate_per_hour: 2, chirp_mass: [5, 40] }");
        const string prefix = "injections.";
        r.CheckKeys(m, InjectionKeys, prefix);
        var d = GlitchFamilies.Injection;
        double fStart = r.Number(m, "f_start", Math.Max(20, fLow), prefix);
        var spec = d with
        {
            RatePerHour = r.Number(m, "rate_per_hour", 1, prefix),
            Snr = r.Range(m, "snr", d.Snr, prefix),
            SnrPower = r.Number(m, "snr_power", d.SnrPower, prefix),
            ChirpMass = r.Range(m, "chirp_mass", d.ChirpMass, prefix),
            Frequency = new ParamRange(fStart, fStart),
        };
        if (spec.RatePerHour < 0) throw r.Error(m, "rate_per_hour", $"a rate cannot be negative ({spec.RatePerHour})", prefix);
        if (spec.Snr.Min <= 0) throw r.Error(m, "snr", "SNRs must be positive", prefix);
        if (spec.ChirpMass.Min <= 0) throw r.Error(m, "chirp_mass", "chirp masses must be positive (solar masses)", prefix);
        if (fStart < fLow || fStart >= rate / 2.0) throw r.Error(m, "f_start", $"{fStart} Hz must lie in [f_low, sample_rate/2)", prefix);
        double longest = InspiralSeconds(spec.ChirpMass.Min, fStart);
        if (longest > 600)
            throw r.Error(m, "chirp_mass", $"a {spec.ChirpMass.Min} Msun chirp from {fStart} Hz lasts {longest:F0} s, more than the 600 s the twin injects; raise the minimum chirp mass or f_start", prefix);
        return spec;
    }

    /// <summary>Leading-order time to coalescence from frequency f: 5 Mc (8 pi Mc f)^(-8/3), Mc in seconds.</summary>
    public static double InspiralSeconds(double chirpMassSolar, double f)
    {
        double mc = chirpMassSolar * 4.925490947e-6;
        return 5 * mc * Math.Pow(8 * Math.PI * mc * f, -8.0 / 3);
    }

    /// <summary>Checks that the curve covers the band the engine will colour: [f_low, sample_rate/2].</summary>
    public static void Validate(Scenario s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var curve = s.LoadPsd();
        double fLowNeeded = Math.Max(s.FLow, 1.0 * s.SampleRate / (1 << 30));
        if (curve.MinFrequency > fLowNeeded + 1e-9)
            throw new NoiseInputException($"{s.SourcePath}: psd starts at {curve.MinFrequency} Hz, above f_low = {s.FLow} Hz; raise f_low");
        if (curve.MaxFrequency < s.SampleRate / 2.0 - 1e-9)
            throw new NoiseInputException($"{s.SourcePath}: psd ends at {curve.MaxFrequency} Hz, below sample_rate/2 = {s.SampleRate / 2.0} Hz; lower sample_rate or use a wider curve");
        var values = curve.Values;
        var freqs = curve.Frequencies;
        bool any = false;
        for (int i = 0; i < values.Length; i++)
            if (freqs[i] >= s.FLow && values[i] > 0) { any = true; break; }
        if (!any) throw new NoiseInputException($"{s.SourcePath}: psd is zero everywhere above f_low = {s.FLow} Hz");
    }

    /// <summary>Typed access to mapping keys with errors that say file:line: key.</summary>
    private sealed class Reader(string path)
    {
        public string Path => path;

        public void CheckKeys(YamlMappingNode map, string[] known, string prefix)
        {
            foreach (var key in map.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? "?";
                if (!known.Contains(name))
                    throw new NoiseInputException($"{path}:{key.Start.Line}: unknown key '{prefix}{name}' (known: {string.Join(", ", known.Select(k => prefix + k))})");
            }
        }

        public NoiseInputException Error(YamlMappingNode map, string key, string what, string prefix = "")
        {
            var line = map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v.Start.Line : map.Start.Line;
            return new NoiseInputException($"{path}:{line}: {prefix}{key}: {what}");
        }

        private YamlScalarNode? Scalar(YamlMappingNode map, string key, string prefix)
        {
            if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node)) return null;
            if (node is not YamlScalarNode sc || sc.Value is null)
                throw Error(map, key, "expected a single value, found a list or mapping", prefix);
            return sc;
        }

        public string String(YamlMappingNode map, string key, string dflt, string prefix = "") =>
            Scalar(map, key, prefix)?.Value ?? dflt;

        public string? OptionalString(YamlMappingNode map, string key, string prefix = "") => Scalar(map, key, prefix)?.Value;

        public double Number(YamlMappingNode map, string key, double dflt, string prefix = "")
        {
            var sc = Scalar(map, key, prefix);
            if (sc is null) return dflt;
            if (!double.TryParse(sc.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                throw Error(map, key, $"expected a number, found '{sc.Value}'", prefix);
            return v;
        }

        public decimal Decimal(YamlMappingNode map, string key, decimal dflt, string prefix = "")
        {
            var sc = Scalar(map, key, prefix);
            if (sc is null) return dflt;
            if (!decimal.TryParse(sc.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                throw Error(map, key, $"expected a number, found '{sc.Value}'", prefix);
            return v;
        }

        public int Integer(YamlMappingNode map, string key, int dflt, string prefix = "")
        {
            var v = Integer64(map, key, dflt, prefix);
            if (v is < int.MinValue or > int.MaxValue) throw Error(map, key, $"{v} is out of range", prefix);
            return (int)v;
        }

        /// <summary>A [min, max] pair; an upside-down range is an error naming the key.</summary>
        public ParamRange Range(YamlMappingNode map, string key, ParamRange dflt, string prefix = "")
        {
            if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node)) return dflt;
            if (node is not YamlSequenceNode seq || seq.Children.Count != 2 || seq.Children.Any(c => c is not YamlScalarNode))
                throw Error(map, key, "expected a range [min, max]", prefix);
            var v = seq.Children.Select(c => ((YamlScalarNode)c).Value).ToArray();
            if (!double.TryParse(v[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) || !double.TryParse(v[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
                || !double.IsFinite(a) || !double.IsFinite(b))
                throw Error(map, key, $"expected two numbers, found [{v[0]}, {v[1]}]", prefix);
            if (a > b) throw Error(map, key, $"range upside down: [{a}, {b}]", prefix);
            return new ParamRange(a, b);
        }

        public long Integer64(YamlMappingNode map, string key, long dflt, string prefix = "")
        {
            var sc = Scalar(map, key, prefix);
            if (sc is null) return dflt;
            if (!long.TryParse(sc.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                throw Error(map, key, $"expected an integer, found '{sc.Value}'", prefix);
            return v;
        }
    }
}
