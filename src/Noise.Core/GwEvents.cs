using System.Globalization;
using System.Text.Json;

namespace Noise.Core;

/// <summary>A catalogued gravitational-wave event: its name and merger time (GPS seconds).</summary>
public sealed record GwEvent(string Name, double Gps);

/// <summary>
/// Catalogued GW events in GWOSC's event-list JSON layout (`BBH_events_v3.json`: an object of events, each with
/// `tevent` in GPS seconds; keys starting with '_' are comments), the layout of the shipped `configs/gw-events.json` too. Real-data checks leave out
/// the seconds around these times: a merger there is a signal, not a false alarm.
/// </summary>
public static class GwEvents
{
    /// <summary>The shipped list (GWTC-1's confident events), beside the scenarios.</summary>
    public const string ShippedFile = "gw-events.json";

    public static List<GwEvent> Load(string path)
    {
        if (!File.Exists(path)) throw new NoiseInputException($"{path}: event list not found");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new NoiseInputException($"{path}: not JSON: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new NoiseInputException($"{path}: expected an object of events (GWOSC's event-list layout)");
            var events = new List<GwEvent>();
            foreach (var e in doc.RootElement.EnumerateObject())
            {
                if (e.Name.StartsWith('_')) continue;   // a comment entry ("_source")
                if (e.Value.ValueKind != JsonValueKind.Object || !e.Value.TryGetProperty("tevent", out var t) || t.ValueKind != JsonValueKind.Number)
                    throw new NoiseInputException($"{path}: event '{e.Name}' has no numeric 'tevent' (GPS seconds)");
                string name = e.Value.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : e.Name;
                events.Add(new GwEvent(name, t.GetDouble()));
            }
            return events;
        }
    }

    /// <summary>
    /// Several lists as one, each event once: entries within 0.1 s are one event under the first list's name
    /// (GWOSC's LVT151012 is GWTC-1's GW151012).
    /// </summary>
    public static List<GwEvent> LoadAll(IEnumerable<string> paths)
    {
        var all = new List<GwEvent>();
        foreach (var e in paths.SelectMany(Load))
            if (!all.Any(a => Math.Abs(a.Gps - e.Gps) < 0.1)) all.Add(e);
        return all.OrderBy(e => e.Gps).ToList();
    }

    public static string Describe(GwEvent e) => string.Create(CultureInfo.InvariantCulture, $"{e.Name} (GPS {e.Gps:F2})");
}
