namespace Noise.Core;

/// <summary>What goes into the strain; `--components` selects a subset so each can be studied alone.</summary>
[Flags]
public enum SignalComponents
{
    None = 0,
    /// <summary>Coloured Gaussian noise from the scenario's PSD.</summary>
    Noise = 1,
    /// <summary>The scenario's glitch population.</summary>
    Glitches = 2,
    /// <summary>Astrophysical injections (compact-binary chirps).</summary>
    Injections = 4,
    /// <summary>Spectral lines (mains, violin modes, calibration lines).</summary>
    Lines = 8,
    /// <summary>Auxiliary witness channels, their disturbances and the glitches those couple into the strain.</summary>
    Aux = 16,
    All = Noise | Glitches | Injections | Lines | Aux,
}

public static class SignalComponentsParser
{
    public static readonly string[] Known = ["noise", "lines", "glitches", "aux", "injections"];

    /// <summary>Parses "noise,glitches"; an unknown name is an error that lists the known ones.</summary>
    public static SignalComponents Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var c = SignalComponents.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            c |= part switch
            {
                "noise" => SignalComponents.Noise,
                "glitches" => SignalComponents.Glitches,
                "injections" => SignalComponents.Injections,
                "lines" => SignalComponents.Lines,
                "aux" => SignalComponents.Aux,
                _ => throw new NoiseInputException($"--components: unknown component '{part}' (known: {string.Join(", ", Known)})"),
            };
        }
        if (c == SignalComponents.None) throw new NoiseInputException("--components: name at least one of " + string.Join(", ", Known));
        return c;
    }

    public static string Format(SignalComponents c) =>
        string.Join(",", Known.Where(k => k switch
        {
            "noise" => c.HasFlag(SignalComponents.Noise),
            "glitches" => c.HasFlag(SignalComponents.Glitches),
            "lines" => c.HasFlag(SignalComponents.Lines),
            "aux" => c.HasFlag(SignalComponents.Aux),
            _ => c.HasFlag(SignalComponents.Injections),
        }));
}
