using Noise.Core;

namespace Noise.Detection.Model;

/// <summary>
/// What a model expects and how it was made; stored as model.json beside the weights. The conditioning here is
/// the one every caller (training, evaluation, detect, streaming) applies before the model sees data.
/// </summary>
public sealed record DetectorSpec
{
    public const string None = "None";
    public const string Chirp = "CBC_Chirp";

    /// <summary>Rate of the whitened series the model reads (Hz); strain at other rates is conditioned to it.</summary>
    public int SampleRate { get; init; } = 2048;
    public double WindowSeconds { get; init; } = 2;
    /// <summary>Step between windows in sliding inference (s).</summary>
    public double StrideSeconds { get; init; } = 0.25;
    /// <summary>Output classes in logit order: the glitch families, "CBC_Chirp" and "None".</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];
    /// <summary>
    /// 11-900 Hz for models from this version: the twin's low-frequency families (Low_Frequency_Burst at 10-30 Hz,
    /// Scattered_Light at 15-45 Hz) carry most of their SNR below 20 Hz, where the first model (20 Hz) was blind.
    /// </summary>
    public ConditioningSettings Conditioning { get; init; } = new() { FLow = 11, FHigh = 900 };
    public string TrainingScenario { get; init; } = "";
    public string TrainingScenarioHash { get; init; } = "";
    public long TrainingSeed { get; init; }
    public long ValidationSeed { get; init; }
    public string SoftwareVersion { get; init; } = "";
    /// <summary>The training noise's domain randomisation (<see cref="Model.NoiseVariety.Describe"/>), or null for the scenario's noise alone.</summary>
    public string? NoiseVariety { get; init; }
    /// <summary>The model folder whose weights training started from, or null for random weights.</summary>
    public string? InitialisedFrom { get; init; }
    /// <summary>
    /// Per class (logit order), how often the scenario the model serves (its training scenario) produces it: the
    /// glitch families' rates per hour, the glitches its disturbances couple into the strain included. The network
    /// learns on balanced classes, so its class probabilities assume equal rates; the class decision weighs them
    /// by these rates (a label-shift correction: a broadband burst that could be a Blip or a Koi_Fish is far more
    /// often a Blip). Empty: equal rates (models written before this field).
    /// </summary>
    public IReadOnlyList<double> ClassRates { get; init; } = [];
    /// <summary>
    /// Per class (logit order), the SNR law of the scenario's glitch family (null for the chirp, None, and classes
    /// only disturbances produce): with <see cref="ClassRates"/> it gives each class's prior at the SNR a window
    /// shows (<see cref="SnrLaw.PerLogSnr"/>), so a loud broadband burst can be a Koi_Fish (SNR 20-500 in O3)
    /// and a quiet one cannot, however often Blips occur. Empty: the rates alone (models written before this field).
    /// </summary>
    public IReadOnlyList<SnrLaw?> ClassSnr { get; init; } = [];
    /// <summary>
    /// Windows whose glitch probabilities are averaged (in log-odds, contiguous neighbours) into the statistic
    /// triggers are thresholded on (<see cref="WindowSmoother"/>): 3 for models from this version, 1 (each window
    /// alone) for models written before it. Thresholds in the metrics belong to this statistic.
    /// </summary>
    public int SmoothWindows { get; init; } = 1;
    /// <summary>
    /// Whether the network has the spectrogram branch (<see cref="GlitchNet.Spectrogram"/>, GlitchNet v2): true for
    /// models trained with <c>--spectrogram-branch</c>, false (absent) for v1, whose weights hold the time series alone.
    /// </summary>
    public bool TimeFrequencyBranch { get; init; }
    /// <summary>A description for people reading model.json; written, never read back (the flag above decides).</summary>
    public string Architecture => TimeFrequencyBranch ? V2Architecture : V1Architecture;

    public const string V1Architecture = "GlitchNet v1: 6 strided Conv1d+BatchNorm+ReLU blocks (16-64 channels), adaptive pool 16, dense 128, heads: class logits, time (sigmoid)";
    public const string V2Architecture = "GlitchNet v2: time series through 6 strided Conv1d+BatchNorm+ReLU blocks (16-64 channels), adaptive pool 16; spectrogram "
        + "(ln(1 + power) of 1024-sample Hann segments every 64 samples, bins 5-80: 10-160 Hz) through 4 strided Conv2d+BatchNorm+ReLU blocks (16-64 channels), adaptive pool 4x4; "
        + "both into dense 128; heads: class logits, time (sigmoid)";

    public int WindowSamples => (int)Math.Round(WindowSeconds * SampleRate);
    public int NoneIndex => IndexOf(None);
    public int ChirpIndex => IndexOf(Chirp);

    public int IndexOf(string cls)
    {
        for (int i = 0; i < Classes.Count; i++) if (Classes[i] == cls) return i;
        return -1;
    }

    /// <summary>The scenario's rate per hour of each of <paramref name="classes"/> (coupled disturbances included; 1 for the chirp and None).</summary>
    public static List<double> RatesOf(Scenario scenario, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(classes);
        return classes.Select(c => c is Chirp or None ? 1.0
            : scenario.Glitches.Where(g => g.Name == c).Sum(g => g.RatePerHour)
              + scenario.Disturbances.Where(d => DisturbanceFamilies.StrainClassOf(d.Name) == c).Sum(d => d.RatePerHour)).ToList();
    }

    /// <summary>The SNR law of each of <paramref name="classes"/> among the scenario's glitch families (null where it has none).</summary>
    public static List<SnrLaw?> SnrLawsOf(Scenario scenario, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(classes);
        return classes.Select(c => scenario.Glitches.FirstOrDefault(g => g.Name == c && g.RatePerHour > 0) is { } g
            ? new SnrLaw(g.Snr.Min, g.Snr.Max, g.SnrPower) : null).ToList();
    }

    /// <summary>The classes a model trained on this scenario tells apart: its glitch families with a rate, the chirp, none.</summary>
    public static List<string> ClassesOf(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var list = scenario.Glitches.Where(g => g.RatePerHour > 0).Select(g => g.Name).ToList();
        list.Add(Chirp);
        list.Add(None);
        return list;
    }
}

/// <summary>
/// A glitch family's SNR distribution, p(rho) ~ rho^-Power on [Min, Max] (the twin's power law), as a density per
/// unit ln rho. Outside the range it falls off as a Gaussian in ln rho of width <see cref="EdgeWidth"/> instead of
/// dropping to zero: a window's SNR is an estimate (and in the model's band rather than the whole band).
/// </summary>
public sealed record SnrLaw(double Min, double Max, double Power)
{
    /// <summary>ln 1.4: an SNR 1.4 times below a family's minimum keeps e^-1/2 of the density at the minimum.</summary>
    public static readonly double EdgeWidth = Math.Log(1.4);
    /// <summary>The density of a class without a law: log-uniform over SNR 6.5-500.</summary>
    public static readonly double Flat = 1 / Math.Log(500 / 6.5);

    /// <summary>rho p(rho): the density per unit ln rho at <paramref name="rho"/>.</summary>
    public double PerLogSnr(double rho)
    {
        if (!(rho > 0) || !(Max > Min) || !(Min > 0)) return 1;
        double r = Math.Clamp(rho, Min, Max), a = Power;
        // normalised on [Min, Max]: (a - 1) / (1 - (Min / Max)^(a - 1)) (rho / Min)^(1 - a), or 1 / ln(Max / Min) at a = 1
        double density = Math.Abs(a - 1) < 1e-9 ? 1 / Math.Log(Max / Min)
            : (a - 1) / (1 - Math.Pow(Min / Max, a - 1)) * Math.Pow(r / Min, 1 - a);
        double outside = Math.Log(rho / r) / EdgeWidth;
        return density * Math.Exp(-0.5 * outside * outside);
    }
}
