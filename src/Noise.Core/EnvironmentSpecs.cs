namespace Noise.Core;

/// <summary>
/// Lock losses: the interferometer drops out of lock spontaneously (Poisson, <see cref="LossRatePerHour"/>) and
/// when an earthquake's ground velocity at the seismometer exceeds <see cref="EarthquakeVelocity"/>; it then
/// stays down for a relock time drawn log-uniformly from <see cref="Relock"/> (seconds). While down, the state
/// vector is not analysis-ready and the strain carries no science data (zeros).
/// </summary>
public sealed record LockSpec
{
    /// <summary>Longest relock time: bounds how far back the lock state at a time can depend on.</summary>
    public const double MaxRelockSeconds = 86400;

    public double LossRatePerHour { get; init; } = 0.1;
    public ParamRange Relock { get; init; } = new(900, 7200);
    /// <summary>Ground velocity (m/s) above which an earthquake unlocks the detector; +inf: never.</summary>
    public double EarthquakeVelocity { get; init; } = 2e-6;
}

/// <summary>What an auxiliary channel measures.</summary>
public enum WitnessKind { Seismometer, Microphone, Magnetometer }

/// <summary>
/// One auxiliary (environmental) channel at its own sample rate: a white floor of amplitude spectral density
/// <see cref="Floor"/> (units/sqrt(Hz)) plus the disturbances it witnesses.
/// </summary>
public sealed record WitnessSpec
{
    public required string Name { get; init; }
    public required WitnessKind Kind { get; init; }
    public required int SampleRate { get; init; }
    public required double Floor { get; init; }

    /// <summary>Physical unit of the channel's samples.</summary>
    public string Unit => Kind switch
    {
        WitnessKind.Seismometer => "m/s",
        WitnessKind.Microphone => "Pa",
        _ => "T",
    };
}

/// <summary>
/// One family of external disturbances: Poisson arrivals, a log-uniform amplitude at the witness (in the
/// witness's unit), frequency and duration ranges, and a coupling into the strain whose meaning depends on
/// the family (<see cref="DisturbanceFamilies"/>).
/// </summary>
public sealed record DisturbanceSpec
{
    public required string Name { get; init; }
    public double RatePerHour { get; init; }
    public ParamRange Amplitude { get; init; }
    public ParamRange Frequency { get; init; }
    public ParamRange Duration { get; init; }
    /// <summary>Linear families: strain per witness unit. Scattered light: surface displacement per ground displacement.</summary>
    public double Coupling { get; init; }
    /// <summary>Scattered light only: strain amplitude of the fundamental fringe.</summary>
    public double FringeAmplitude { get; init; }

    public WitnessKind Witness => DisturbanceFamilies.WitnessOf(Name);
}

/// <summary>
/// The disturbance families and how each reaches the strain:
/// Earthquake (seismometer; unlocks the detector above the lock threshold; no strain glitch),
/// Truck (seismometer, 1-5 Hz ground motion; non-linear scattered-light coupling: fringes at 2 n |v_surface| / lambda),
/// Thunder (microphone; linear acoustic coupling: strain = coupling x pressure),
/// Magnetic_Pulse (magnetometer; linear magnetic coupling: strain = coupling x field).
/// Defaults are orders of magnitude chosen so the O3 scenario sees a few coupled glitches an hour, some
/// witnessed and some not; they are not measurements of a Virgo building.
/// </summary>
public static class DisturbanceFamilies
{
    /// <summary>lambda of the Virgo laser (m).</summary>
    public const double Wavelength = 1.064e-6;

    public static readonly IReadOnlyList<DisturbanceSpec> Defaults =
    [
        new() { Name = "Earthquake", RatePerHour = 0.05, Amplitude = new(1e-8, 1e-5), Frequency = new(0.03, 0.1), Duration = new(300, 1500) },
        new() { Name = "Truck", RatePerHour = 6, Amplitude = new(1e-8, 2e-6), Frequency = new(1, 5), Duration = new(10, 60), Coupling = 15, FringeAmplitude = 2e-22 },
        new() { Name = "Thunder", RatePerHour = 0.5, Amplitude = new(0.02, 2), Frequency = new(15, 100), Duration = new(1, 5), Coupling = 3e-22 },
        new() { Name = "Magnetic_Pulse", RatePerHour = 4, Amplitude = new(5e-12, 5e-10), Frequency = new(20, 80), Duration = new(0.02, 0.1), Coupling = 1e-11 },
    ];

    public static IEnumerable<string> Names => Defaults.Select(d => d.Name);

    /// <summary>The family's fixed index (part of its random streams' identity).</summary>
    public static int IndexOf(string name)
    {
        for (int i = 0; i < Defaults.Count; i++) if (Defaults[i].Name == name) return i;
        throw new NoiseInputException($"unknown disturbance '{name}' (known: {string.Join(", ", Names)})");
    }

    public static DisturbanceSpec Default(string name) =>
        Defaults.FirstOrDefault(d => d.Name == name) ?? throw new NoiseInputException($"unknown disturbance '{name}' (known: {string.Join(", ", Names)})");

    public static WitnessKind WitnessOf(string name) => name switch
    {
        "Thunder" => WitnessKind.Microphone,
        "Magnetic_Pulse" => WitnessKind.Magnetometer,
        _ => WitnessKind.Seismometer,
    };

    /// <summary>The glitch class a coupled disturbance looks like in the strain (Gravity Spy morphology), or null.</summary>
    public static string? StrainClassOf(string name) => name switch
    {
        "Truck" => "Scattered_Light",
        "Thunder" => "Low_Frequency_Burst",
        "Magnetic_Pulse" => "Blip",
        _ => null,
    };
}
