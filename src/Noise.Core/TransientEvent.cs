namespace Noise.Core;

/// <summary>
/// One row of the ground-truth catalogue. Column names follow sngl_burst / Omicron where one exists
/// (peak_time, peak_time_ns, start_time, start_time_ns, duration, central_freq, peak_frequency, bandwidth,
/// snr, hrss, amplitude); q is NaN for families without one. Frequencies and times are measured from the
/// injected waveform (whitened-energy weighted), not copied from the drawn parameters.
/// </summary>
public sealed record TransientEvent
{
    public required long EventId { get; init; }
    public required string Ifo { get; init; }
    public required string Channel { get; init; }
    public required string Class { get; init; }
    /// <summary>"glitch", "astrophysical", or "environment" (a disturbance as its witness channel saw it).</summary>
    public required string Kind { get; init; }
    public required GpsTime PeakTime { get; init; }
    public required GpsTime StartTime { get; init; }
    public required double Duration { get; init; }
    public required double CentralFrequency { get; init; }
    public required double PeakFrequency { get; init; }
    public required double Bandwidth { get; init; }
    public required double Q { get; init; }
    /// <summary>Optimal SNR against the scenario's PSD over [f_low, fs/2] (FIELD_NOTES §1).</summary>
    public required double Snr { get; init; }
    public required double Hrss { get; init; }
    /// <summary>Peak |h|.</summary>
    public required double Amplitude { get; init; }
    /// <summary>Comma-separated auxiliary channels that saw it ("" when none).</summary>
    public string Witnesses { get; init; } = "";
    /// <summary>The external disturbance that caused it (Truck, Thunder, ...), or "" for the detector's own glitches.</summary>
    public string Cause { get; init; } = "";
}
