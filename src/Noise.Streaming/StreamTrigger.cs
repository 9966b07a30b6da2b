using System.Text.Json;
using Noise.Core;
using Noise.IO;

namespace Noise.Streaming;

/// <summary>
/// A trigger as the stream emits it: the sngl_burst-like record shared with `noise detect`, plus the false-alarm
/// rate its threshold was set for (null where that is not known: a threshold given by hand), the software, and the
/// latencies measured on it.
/// </summary>
public sealed record StreamTrigger(TriggerRecord Record, double? FarPerHour, double ComputeLatencyMs, double? EndToEndLatencySeconds, double EmittedGps)
{
    public const string Software = "noise";

    public static string Version { get; set; } = "0.0.0";

    /// <summary>One JSON object (one line of `jsonl:` and one SSE event); the schema is trigger.schema.json.</summary>
    public string ToJson() => TriggerFile.ToJson(Record, w =>
    {
        if (FarPerHour is double far) JsonFields.Num(w, "far_per_hour", far);
        else w.WriteNull("far_per_hour");
        w.WriteString("software", Software);
        w.WriteString("software_version", Version);
        JsonFields.Num(w, "compute_latency_ms", ComputeLatencyMs);
        if (EndToEndLatencySeconds is double e) JsonFields.Num(w, "end_to_end_latency_s", e);
        else w.WriteNull("end_to_end_latency_s");
        w.WriteNumber("emitted_gps", Math.Round(EmittedGps, 6));
    });

    public static JsonDocument Parse(string json) => JsonDocument.Parse(json);
}
