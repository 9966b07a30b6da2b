using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Noise.Core;

namespace Noise.Streaming.Sinks;

/// <summary>
/// `http:[HOST:]PORT` (loopback unless a host is named): an ASP.NET Core server with
/// GET /triggers (Server-Sent Events, one `trigger` event per trigger), GET /triggers/recent (JSON array),
/// GET /health, GET /metrics (Prometheus text), GET /spectrogram (JSON) and GET / (the live page).
/// Each SSE client has its own queue of <see cref="ClientQueue"/> events; a slow or stuck client loses its
/// oldest events (counted in noise_stream_sse_dropped_total) and never slows detection or other clients.
/// </summary>
public sealed class HttpSink : ITriggerSink
{
    public const int ClientQueue = 256;
    private readonly IPAddress _host;
    private readonly int _port;
    private readonly StreamMetrics _metrics;
    private readonly List<Channel<string>> _clients = [];
    private readonly Lock _gate = new();
    private WebApplication? _app;

    private HttpSink(IPAddress host, int port, StreamMetrics metrics) => (_host, _port, _metrics) = (host, port, metrics);

    public static HttpSink Parse(string arg, StreamMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(arg);
        int colon = arg.LastIndexOf(':');
        string host = colon < 0 ? "127.0.0.1" : arg[..colon], port = colon < 0 ? arg : arg[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 0 or > 65535)
            throw new NoiseInputException($"--sink http:{arg}: '{port}' is not a port number");
        if (!IPAddress.TryParse(host == "localhost" ? "127.0.0.1" : host, out var ip))
            throw new NoiseInputException($"--sink http:{arg}: '{host}' is not an IP address (use 127.0.0.1, or 0.0.0.0 to listen beyond this machine)");
        return new HttpSink(ip, p, metrics);
    }

    public string Name => $"http:{_host}:{_port}";
    /// <summary>The address it listens on once started (the port is chosen by the system when 0 was asked for).</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(_host, _port));
        _app = builder.Build();
        _app.MapGet("/", () => Results.Content(Page, "text/html; charset=utf-8"));
        _app.MapGet("/health", () =>
        {
            string status = _metrics.Status();
            var body = new JsonObject
            {
                ["status"] = status,
                ["psd_ready"] = _metrics.PsdReady,
                ["last_gps"] = double.IsFinite(_metrics.LastGps) ? _metrics.LastGps : null,
                ["data_seconds"] = Math.Round(_metrics.DataSeconds, 3),
                ["uptime_s"] = Math.Round(_metrics.UptimeSeconds, 3),
                ["software"] = StreamTrigger.Software + " " + StreamTrigger.Version,
            };
            return Results.Content(body.ToJsonString(), "application/json", Encoding.UTF8, status == "stalled" ? 503 : 200);
        });
        _app.MapGet("/metrics", () => Results.Content(_metrics.Prometheus(), "text/plain; version=0.0.4; charset=utf-8"));
        _app.MapGet("/triggers/recent", () => Results.Content("[" + string.Join(",", _metrics.RecentJson()) + "]", "application/json"));
        _app.MapGet("/spectrogram", () => Results.Content(SpectrogramJson(), "application/json"));
        _app.MapGet("/triggers", Sse);
        await _app.StartAsync(ct).ConfigureAwait(false);
        var addr = _app.Urls.FirstOrDefault();
        Address = addr is null ? null : new Uri(addr.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    private async Task Sse(HttpContext http)
    {
        var queue = Channel.CreateBounded<string>(new BoundedChannelOptions(ClientQueue) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _metrics.SseDropped));
        lock (_gate) _clients.Add(queue);
        Interlocked.Increment(ref _metrics.SseClients);
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var ct = http.RequestAborted;
        try
        {
            await http.Response.WriteAsync("retry: 1000\n: noise stream triggers\n\n", ct).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            while (!ct.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                beat.CancelAfter(TimeSpan.FromSeconds(5));
                string? json = null;
                try { json = await queue.Reader.ReadAsync(beat.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
                catch (ChannelClosedException) { break; }
                // a comment line every 5 s keeps proxies from closing an idle stream
                await http.Response.WriteAsync(json is null ? ": keep-alive\n\n" : $"event: trigger\ndata: {json}\n\n", ct).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        finally
        {
            lock (_gate) _clients.Remove(queue);
            Interlocked.Decrement(ref _metrics.SseClients);
        }
    }

    public void Offer(StreamTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        string json = trigger.ToJson();
        lock (_gate)
            foreach (var c in _clients) c.Writer.TryWrite(json);
    }

    private string SpectrogramJson()
    {
        var cols = _metrics.Columns();
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteStartArray("freqs");
            foreach (var f in StreamPipeline.SpectrogramBands) w.WriteNumberValue(Math.Round(f, 2));
            w.WriteEndArray();
            w.WriteStartArray("columns");
            foreach (var c in cols)
            {
                w.WriteStartObject();
                w.WriteNumber("gps", c.Gps);
                w.WriteStartArray("log10_power");
                foreach (var v in c.Log10Power) { if (float.IsFinite(v)) w.WriteNumberValue(Math.Round(v, 3)); else w.WriteNullValue(); }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static readonly string Page = LoadPage();

    private static string LoadPage()
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("live.html") ?? throw new InvalidOperationException("live.html is not embedded");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
            foreach (var c in _clients) c.Writer.TryComplete();
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try { await _app.StopAsync(cts.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
