using System.Globalization;
using System.Threading.Channels;
using Noise.Core;
using Noise.IO;

namespace Noise.Streaming.Sinks;

/// <summary>
/// Where triggers go. <see cref="Offer"/> never blocks the pipeline: each sink has its own bounded queue and
/// worker, and drops the oldest queued trigger when it falls behind (counted in sink_dropped).
/// </summary>
public interface ITriggerSink : IAsyncDisposable
{
    string Name { get; }
    Task StartAsync(CancellationToken ct);
    void Offer(StreamTrigger trigger);
}

/// <summary>Parses `--sink` values: jsonl:PATH, jsonl:-, parquet:PATH, ligolw:PATH, http:[HOST:]PORT.</summary>
public static class SinkFactory
{
    public static ITriggerSink Create(string spec, StreamMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? spec : spec[..colon], arg = colon < 0 ? "" : spec[(colon + 1)..];
        return kind switch
        {
            "jsonl" when arg.Length > 0 => new JsonlSink(arg, metrics),
            "parquet" when arg.Length > 0 => new RollingTableSink(arg, metrics, RollingTableSink.Table.Parquet),
            "ligolw" when arg.Length > 0 => new RollingTableSink(arg, metrics, RollingTableSink.Table.LigoLw),
            "http" when arg.Length > 0 => HttpSink.Parse(arg, metrics),
            _ => throw new NoiseInputException($"--sink '{spec}': expected jsonl:PATH, jsonl:-, parquet:PATH, ligolw:PATH or http:[HOST:]PORT"),
        };
    }
}

/// <summary>Base for sinks that consume a bounded queue on their own task.</summary>
public abstract class QueuedSink(StreamMetrics metrics, int capacity = 10_000) : ITriggerSink
{
    private readonly Channel<StreamTrigger> _queue = Channel.CreateBounded<StreamTrigger>(new BoundedChannelOptions(capacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
    }, _ => Interlocked.Increment(ref metrics.SinkDropped));
    private Task? _worker;

    public abstract string Name { get; }

    public virtual Task StartAsync(CancellationToken ct)
    {
        _worker = Task.Run(async () =>
        {
            await foreach (var t in _queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false)) await WriteAsync(t).ConfigureAwait(false);
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public void Offer(StreamTrigger trigger) => _queue.Writer.TryWrite(trigger);

    protected abstract Task WriteAsync(StreamTrigger trigger);
    protected virtual Task FinishAsync() => Task.CompletedTask;

    /// <summary>Drains what is queued, then closes: a clean shutdown loses no trigger.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_worker is not null) await _worker.ConfigureAwait(false);
        await FinishAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}

/// <summary>`jsonl:PATH` (appended, flushed per line) or `jsonl:-` (stdout): one JSON object per trigger.</summary>
public sealed class JsonlSink(string path, StreamMetrics metrics) : QueuedSink(metrics)
{
    private TextWriter? _out;
    public override string Name => "jsonl:" + path;

    public override Task StartAsync(CancellationToken ct)
    {
        if (path == "-") _out = Console.Out;
        else
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null) Directory.CreateDirectory(dir);
            // appended line by line: a reader tailing the file sees whole lines only (each written with its newline at once)
            _out = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = false };
        }
        return base.StartAsync(ct);
    }

    protected override async Task WriteAsync(StreamTrigger trigger)
    {
        await _out!.WriteAsync(trigger.ToJson() + "\n").ConfigureAwait(false);
        await _out.FlushAsync().ConfigureAwait(false);
    }

    protected override async Task FinishAsync()
    {
        if (_out is null) return;
        await _out.FlushAsync().ConfigureAwait(false);
        if (path != "-") await _out.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// `parquet:PATH` and `ligolw:PATH`: a rolling trigger table, Parquet or a LIGO_LW sngl_burst document (.xml.gz).
/// Triggers are kept per GPS hour; the hour's file (PATH's stem + "-GPS-3600.parquet" or ".xml.gz", or inside PATH
/// when it is a folder) is rewritten atomically at most every few seconds while triggers arrive and once at
/// shutdown, so a reader always finds whole files.
/// </summary>
public sealed class RollingTableSink(string path, StreamMetrics metrics, RollingTableSink.Table table) : QueuedSink(metrics)
{
    public enum Table { Parquet, LigoLw }

    private readonly List<TriggerRecord> _hour = [];
    private long _hourStart = long.MinValue;
    private long _lastWrite;
    private bool _dirty;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _ticker;
    public const double RewriteSeconds = 5;
    public override string Name => (table == Table.Parquet ? "parquet:" : "ligolw:") + path;
    private string Extension => table == Table.Parquet ? ".parquet" : ".xml.gz";

    public override Task StartAsync(CancellationToken ct)
    {
        // triggers that stop arriving are still written within RewriteSeconds
        _ticker = Task.Run(async () =>
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
                    lock (_gate)
                        if (_dirty && System.Diagnostics.Stopwatch.GetElapsedTime(_lastWrite).TotalSeconds >= RewriteSeconds) Flush();
                }
            }
            catch (OperationCanceledException) { }
        }, CancellationToken.None);
        return base.StartAsync(ct);
    }

    public string PartPath(long gpsHour)
    {
        bool folder = !path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase);
        string dir = folder ? path : Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string stem = folder ? "V1-NOISE_STREAM_TRIGGERS" : Path.GetFileName(path)[..^Extension.Length];
        return Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{stem}-{gpsHour}-3600{Extension}"));
    }

    protected override Task WriteAsync(StreamTrigger trigger)
    {
        lock (_gate) Add(trigger);
        return Task.CompletedTask;
    }

    private void Add(StreamTrigger trigger)
    {
        long hour = trigger.Record.PeakTime.Seconds / 3600 * 3600;
        if (hour != _hourStart)
        {
            if (_dirty) Flush();
            _hour.Clear();
            _hourStart = hour;
        }
        _hour.Add(trigger.Record);
        _dirty = true;
        if (System.Diagnostics.Stopwatch.GetElapsedTime(_lastWrite).TotalSeconds >= RewriteSeconds) Flush();
    }

    private void Flush()
    {
        var file = PartPath(_hourStart);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        if (table == Table.Parquet)
            TriggerFile.WriteParquet(file, _hour, new Dictionary<string, string> { ["software"] = StreamTrigger.Software + " " + StreamTrigger.Version, ["source"] = "noise stream" });
        else
            LigoLw.WriteSnglBurst(file, _hour, "noise stream", StreamTrigger.Version, new GpsTime(_hourStart, 0), new GpsTime(_hourStart + 3600, 0),
                string.Join(",", _hour.Select(r => r.Ifo).Distinct()));
        _lastWrite = System.Diagnostics.Stopwatch.GetTimestamp();
        _dirty = false;
    }

    protected override async Task FinishAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_ticker is not null) await _ticker.ConfigureAwait(false);
        lock (_gate) if (_dirty) Flush();
        _stop.Dispose();
    }
}
