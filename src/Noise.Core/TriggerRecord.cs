namespace Noise.Core;

/// <summary>
/// One trigger of a pipeline (the glitch model or the Q-transform baseline), with sngl_burst/Omicron column
/// names: peak and start as GPS seconds + nanoseconds, duration, central frequency and bandwidth (Hz), snr,
/// amplitude; plus the model's class and probability. Fields a pipeline does not measure are NaN ("" for text).
/// </summary>
public sealed record TriggerRecord
{
    public required string Ifo { get; init; }
    public required string Channel { get; init; }
    /// <summary>"glitchnet" (the model) or "qtransform" (the baseline).</summary>
    public required string Pipeline { get; init; }
    public required GpsTime PeakTime { get; init; }
    public required GpsTime StartTime { get; init; }
    public double Duration { get; init; }
    public double CentralFrequency { get; init; } = double.NaN;
    public double Bandwidth { get; init; } = double.NaN;
    public double Snr { get; init; } = double.NaN;
    public double Amplitude { get; init; } = double.NaN;
    public double Q { get; init; } = double.NaN;
    public string Class { get; init; } = "";
    /// <summary>Glitch probability (model) or NaN.</summary>
    public double Probability { get; init; } = double.NaN;
    public double ClassProbability { get; init; } = double.NaN;

    public static GpsTime Gps(double t) => GpsTime.FromDecimal(Math.Round((decimal)t, 6));
}
