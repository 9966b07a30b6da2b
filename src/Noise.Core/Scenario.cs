using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Noise.Core;

/// <summary>Where kernels run: the best accelerator found, the CPU, or an NVIDIA GPU through CUDA.</summary>
public enum DeviceChoice { Auto, Cpu, Cuda }

/// <summary>The noise curve a scenario names: a file (ASD or PSD columns) or an analytic model, times a scale.</summary>
public sealed record PsdSpec
{
    /// <summary>Absolute path of the curve file, or null when <see cref="Model"/> is set.</summary>
    public string? File { get; init; }
    /// <summary>"asd" (1/sqrt(Hz)) or "psd" (1/Hz): what the file's second column holds.</summary>
    public string Kind { get; init; } = "asd";
    /// <summary>Analytic model name (see <see cref="AnalyticPsd.Models"/>), or null when <see cref="File"/> is set.</summary>
    public string? Model { get; init; }
    /// <summary>Factor applied to the amplitude spectral density (the PSD is multiplied by its square).</summary>
    public double AsdScale { get; init; } = 1.0;
}

/// <summary>
/// A resolved scenario: everything that, with the software version, fixes the output bits.
/// Built by <see cref="ScenarioLoader"/>; immutable; CLI overrides produce a copy with <c>with</c>.
/// </summary>
public sealed record Scenario
{
    public const string DefaultChannel = "V1:Hrec_hoft_16384Hz";
    public const int DefaultSampleRate = 16384;

    public string Name { get; init; } = "unnamed";
    public string Description { get; init; } = "";
    public string Channel { get; init; } = DefaultChannel;
    public int SampleRate { get; init; } = DefaultSampleRate;
    public GpsTime GpsStart { get; init; } = new(1238166018, 0);
    public long Seed { get; init; } = 1;
    public required PsdSpec Psd { get; init; }
    public double FLow { get; init; } = 10.0;
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    /// <summary>Glitch classes with their rates and parameter ranges; empty: no glitches.</summary>
    public IReadOnlyList<GlitchClassSpec> Glitches { get; init; } = [];
    /// <summary>Bands whose noise level breathes slowly (at most <see cref="BreathingSpec.MaxBands"/>); empty: stationary.</summary>
    public IReadOnlyList<BreathingSpec> Breathing { get; init; } = [];
    /// <summary>Spectral line families (mains, violin modes, calibration lines); empty: none.</summary>
    public IReadOnlyList<LineSpec> Lines { get; init; } = [];
    /// <summary>Astrophysical injections (compact-binary chirps), or null for none.</summary>
    public GlitchClassSpec? Injections { get; init; }
    /// <summary>Lock losses and the state vector, or null for a detector that never unlocks.</summary>
    public LockSpec? Lock { get; init; }
    /// <summary>Auxiliary (environmental) channels, each at its own rate; empty: none.</summary>
    public IReadOnlyList<WitnessSpec> Witnesses { get; init; } = [];
    /// <summary>External disturbances seen by the witnesses, some coupling into the strain; empty: none.</summary>
    public IReadOnlyList<DisturbanceSpec> Disturbances { get; init; } = [];
    /// <summary>The state-vector channel of this detector (analysis-ready when (state &amp; 3) == 3).</summary>
    [JsonIgnore] public string StateVectorChannel => Detector + ":DQ_ANALYSIS_STATE_VECTOR";
    /// <summary>The YAML file this came from (for messages), or "" when built in code.</summary>
    [JsonIgnore] public string SourcePath { get; init; } = "";

    /// <summary>Detector prefix of the channel, e.g. "V1".</summary>
    [JsonIgnore] public string Detector => Channel.Split(':')[0];

    /// <summary>Loads the curve (file or model) with its scale applied: S(f) in 1/Hz.</summary>
    public PsdCurve LoadPsd()
    {
        var curve = Psd.File is not null
            ? PsdCurve.Load(Psd.File, Psd.Kind == "asd")
            : AnalyticPsd.Tabulate(Psd.Model!, SampleRate / 2.0);
        return Psd.AsdScale == 1.0 ? curve : curve.Scaled(Psd.AsdScale * Psd.AsdScale);
    }

    /// <summary>The resolved scenario as indented JSON (what run.json records).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// SHA-256 over the resolved scenario (without seed and start, which are recorded on their own) and the
    /// bytes of the curve file, so that two files made from the same physics carry the same hash.
    /// </summary>
    public string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var canonical = this with { Seed = 0, GpsStart = default, Device = DeviceChoice.Auto, Psd = Psd with { File = Psd.File is null ? null : Path.GetFileName(Psd.File) } };
        sha.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(canonical, JsonOptions)));
        if (Psd.File is not null && System.IO.File.Exists(Psd.File)) sha.AppendData(System.IO.File.ReadAllBytes(Psd.File));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new GpsTimeJsonConverter() },
    };
}

/// <summary>Writes a GPS time as an exact JSON number, e.g. 1238166018 or 1238166018.5.</summary>
public sealed class GpsTimeJsonConverter : JsonConverter<GpsTime>
{
    public override GpsTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        GpsTime.FromDecimal(reader.GetDecimal());

    public override void Write(Utf8JsonWriter writer, GpsTime value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value.ToDecimal());
    }
}
