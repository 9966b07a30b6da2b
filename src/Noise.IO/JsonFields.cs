using System.Text.Json;
using Noise.Core;

namespace Noise.IO;

/// <summary>The JSON-lines field conventions shared by the catalogue, trigger files and streamed triggers.</summary>
public static class JsonFields
{
    /// <summary>A finite number, or null (NaN marks a quantity a row does not have).</summary>
    public static void Num(Utf8JsonWriter w, string name, double v)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary>sngl_burst's times: `time` (GPS peak, decimal), `peak_time`/`peak_time_ns`, `start_time`/`start_time_ns`.</summary>
    public static void Times(Utf8JsonWriter w, GpsTime peak, GpsTime start)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteNumber("time", peak.ToDecimal());
        w.WriteNumber("peak_time", peak.Seconds);
        w.WriteNumber("peak_time_ns", peak.Nanoseconds);
        w.WriteNumber("start_time", start.Seconds);
        w.WriteNumber("start_time_ns", start.Nanoseconds);
    }
}
