using System.Globalization;

namespace Noise.Core;

/// <summary>
/// A GPS time (seconds since 1980-01-06T00:00:00 UTC) held as integer seconds plus nanoseconds, as LIGOTimeGPS
/// does, so that sample times stay exact for any run length.
/// </summary>
public readonly record struct GpsTime(long Seconds, int Nanoseconds) : IComparable<GpsTime>
{
    public const long NanosPerSecond = 1_000_000_000L;

    public double ToDouble() => Seconds + Nanoseconds * 1e-9;

    public decimal ToDecimal() => Seconds + Nanoseconds / 1_000_000_000m;

    public static GpsTime FromDecimal(decimal value)
    {
        var s = (long)decimal.Floor(value);
        var ns = (int)decimal.Round((value - s) * 1_000_000_000m);
        if (ns == NanosPerSecond) { s++; ns = 0; }
        return new GpsTime(s, ns);
    }

    /// <summary>Parses "1238166018" or "1238166018.25" exactly (no binary rounding).</summary>
    public static GpsTime Parse(string text) =>
        FromDecimal(decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));

    /// <summary>The time of sample <paramref name="index"/> counted from GPS 0 at <paramref name="sampleRate"/>.</summary>
    public static GpsTime FromSampleIndex(long index, int sampleRate)
    {
        var s = Math.DivRem(index, sampleRate, out var rem);
        if (rem < 0) { s--; rem += sampleRate; }
        return new GpsTime(s, (int)(rem * NanosPerSecond / sampleRate));
    }

    /// <summary>
    /// The index of this time in samples from GPS 0, or an error when the time does not fall on a sample.
    /// </summary>
    public long ToSampleIndex(int sampleRate)
    {
        long numer = (long)Nanoseconds * sampleRate;
        if (numer % NanosPerSecond != 0)
            throw new NoiseInputException($"GPS time {this} does not fall on a sample boundary at {sampleRate} Hz");
        return Seconds * sampleRate + numer / NanosPerSecond;
    }

    /// <summary>The index of the sample at or before this time, counted from GPS 0.</summary>
    public long ToSampleIndexFloor(int sampleRate) =>
        Seconds * sampleRate + (long)Nanoseconds * sampleRate / NanosPerSecond;

    public int CompareTo(GpsTime other) =>
        Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanoseconds.CompareTo(other.Nanoseconds);

    public override string ToString() => Nanoseconds == 0
        ? Seconds.ToString(CultureInfo.InvariantCulture)
        : ToDecimal().ToString("0.#########", CultureInfo.InvariantCulture);
}
