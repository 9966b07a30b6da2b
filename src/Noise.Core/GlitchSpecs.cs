namespace Noise.Core;

/// <summary>A closed interval [Min, Max] of a drawn parameter.</summary>
public readonly record struct ParamRange(double Min, double Max)
{
    public double Lerp(double u) => Min + u * (Max - Min);
    /// <summary>Log-uniform draw: frequencies and Qs spread evenly in octaves.</summary>
    public double LogLerp(double u) => Min * Math.Pow(Max / Min, u);
    public override string ToString() => $"[{Min}, {Max}]";
}

/// <summary>
/// One glitch class of a scenario: Poisson arrival rate, power-law SNR distribution p(rho) ~ rho^-SnrPower on
/// [Snr.Min, Snr.Max], and the ranges of its waveform parameters (what Frequency, Q and Duration mean for each
/// family is in <see cref="GlitchFamilies.Describe"/>).
/// </summary>
public sealed record GlitchClassSpec
{
    public required string Name { get; init; }
    public double RatePerHour { get; init; }
    public ParamRange Snr { get; init; }
    public double SnrPower { get; init; } = 2.5;
    public ParamRange Frequency { get; init; }
    public ParamRange Q { get; init; }
    public ParamRange Duration { get; init; }
    /// <summary>Chirp mass range in solar masses (astrophysical injections only).</summary>
    public ParamRange ChirpMass { get; init; }
    /// <summary>"glitch" or "astrophysical".</summary>
    public string Kind { get; init; } = "glitch";
}

/// <summary>
/// The glitch families the twin knows, with defaults drawn from FIELD_NOTES §2 (Gravity Spy morphologies,
/// GlitchPop durations) and the Gravity Spy metadata excerpt; a scenario overrides any of them per class.
/// The default rates below add up to ~55 per hour above SNR 6.5, the O3 order of one glitch a minute.
/// </summary>
public static class GlitchFamilies
{
    public static readonly IReadOnlyList<GlitchClassSpec> Defaults =
    [
        // name, rate/h, SNR range, frequency range (Hz), Q range, duration range (s)
        Make("Blip", 20, 6.5, 200, 60, 250, 2, 5, 0.005, 0.03),
        Make("Tomte", 8, 6.5, 100, 25, 60, 2, 4, 0.02, 0.1),
        Make("Koi_Fish", 3, 20, 500, 150, 400, 2, 4, 0.1, 0.6),
        Make("Whistle", 2, 6.5, 50, 300, 1200, 1, 1, 0.1, 0.5),
        Make("Scattered_Light", 10, 6.5, 50, 15, 45, 1, 1, 2.0, 6.0),
        Make("Low_Frequency_Burst", 6, 6.5, 50, 10, 30, 3, 8, 0.2, 1.0),
        Make("Extremely_Loud", 0.5, 200, 2000, 40, 150, 0.7, 1.5, 0.005, 0.05),
        Make("Power_Line", 3, 6.5, 40, 50, 150, 10, 30, 0.1, 0.3),
        Make("Repeating_Blips", 2, 6.5, 60, 60, 250, 2, 5, 0.2, 2.0),
        Make("Sine_Gaussian", 0, 6.5, 50, 30, 1000, 3, 30, 0.01, 0.5),
        Make("Gaussian", 0, 6.5, 50, 10, 200, 1, 1, 0.001, 0.02),
        Make("Ring_Down", 0, 6.5, 50, 50, 1000, 1, 1, 0.005, 0.05),
    ];

    /// <summary>
    /// The astrophysical injection class: compact-binary coalescences (IMRPhenomA inspiral-merger-ringdown from
    /// `frequency` (the start frequency)), chirp mass in solar masses, scaled to a drawn optimal SNR like the glitches.
    /// </summary>
    public static readonly GlitchClassSpec Injection = Make("CBC_Chirp", 0, 8, 50, 20, 20, 1, 1, 1, 1) with
    {
        Kind = "astrophysical",
        SnrPower = 4,   // a uniform-in-volume population: p(rho) ~ rho^-4
        ChirpMass = new ParamRange(5, 40),
    };

    public static IEnumerable<string> Names => Defaults.Select(d => d.Name);

    public static GlitchClassSpec Default(string name) =>
        Defaults.FirstOrDefault(d => d.Name == name)
        ?? throw new NoiseInputException($"unknown glitch class '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>What each family's parameters mean, for --help, README and error messages.</summary>
    public static string Describe(string name) => name switch
    {
        "Blip" => "sine-Gaussian, f0 in frequency, Q in q (short, broadband)",
        "Tomte" => "sine-Gaussian at low frequency, f0 in frequency, Q in q",
        "Koi_Fish" => "broadband core (sine-Gaussian at f0 in frequency, Q in q) with a 30-60 Hz body lasting duration",
        "Whistle" => "V-shaped frequency sweep from f_min in frequency, Gaussian envelope of length duration",
        "Scattered_Light" => "scattered-light arches: fringe phase 4 pi x(t)/lambda of a surface moving with the ground, arch peak frequency in frequency, arch length (half the motion period) in duration, harmonics 1-3",
        "Low_Frequency_Burst" => "sine-Gaussian at 10-30 Hz, f0 in frequency, Q in q",
        "Extremely_Loud" => "very loud, very broadband sine-Gaussian, f0 in frequency, Q in q",
        "Power_Line" => "sine-Gaussian at a mains harmonic (50 Hz multiple nearest a draw in frequency), Q in q",
        "Repeating_Blips" => "train of 3-6 blips (f0 in frequency, Q in q) spaced by a draw in duration",
        "Sine_Gaussian" => "generic sine-Gaussian h = exp(-(t/tau)^2) sin(2 pi f0 t + phi), tau = Q/(sqrt(2) pi f0)",
        "Gaussian" => "generic Gaussian pulse exp(-(t/tau)^2), tau in duration",
        "Ring_Down" => "generic damped sinusoid at f0 in frequency, decay time in duration",
        _ => "?",
    };

    private static GlitchClassSpec Make(string name, double rate, double snrMin, double snrMax, double fMin, double fMax,
        double qMin, double qMax, double dMin, double dMax) => new()
    {
        Name = name,
        RatePerHour = rate,
        Snr = new ParamRange(snrMin, snrMax),
        Frequency = new ParamRange(fMin, fMax),
        Q = new ParamRange(qMin, qMax),
        Duration = new ParamRange(dMin, dMax),
    };
}
