using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Noise.Core;
using Noise.IO;
using Noise.Simulation;

namespace Noise.Streaming.Sources;

/// <summary>Where strain frames come from. Frames arrive in time order as far as the source knows it.</summary>
public interface IStrainSource
{
    string Description { get; }
    IAsyncEnumerable<StrainFrame> ReadAsync(CancellationToken ct);
    /// <summary>Stopwatch ticks at which the stream reached GPS time t (paced replays and live sources), else null.</summary>
    long? TicksAtGps(double gps);
}

/// <summary>
/// Paces a replay: the frame ending at GPS e is released at start + (e - gps0) / speed of wall time;
/// speed +infinity ("max") releases at once and has no wall clock to compare transients with.
/// </summary>
public sealed class Pacer(double speed)
{
    private long _ticks0;
    private double _gps0 = double.NaN;
    public double Speed => speed;
    public bool Paced => double.IsFinite(speed);

    public long? TicksAt(double gps) =>
        Paced && double.IsFinite(_gps0) ? _ticks0 + (long)((gps - _gps0) / speed * Stopwatch.Frequency) : null;

    /// <summary>Blocks until the frame ending at GPS <paramref name="gpsEnd"/> is due; the first call starts the clock at its frame's start.</summary>
    public void WaitFor(double gpsStart, double gpsEnd, CancellationToken ct)
    {
        if (double.IsNaN(_gps0)) { _gps0 = gpsStart; _ticks0 = Stopwatch.GetTimestamp(); }
        if (!Paced) return;
        long due = TicksAt(gpsEnd)!.Value;
        while (true)
        {
            long left = due - Stopwatch.GetTimestamp();
            if (left <= 0) return;
            ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Min(0.05, (double)left / Stopwatch.Frequency)));
            ct.ThrowIfCancellationRequested();
        }
    }

    public static double Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "realtime") return 1;
        if (text == "max") return double.PositiveInfinity;
        if (double.TryParse(text.TrimEnd('x'), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 && double.IsFinite(x)) return x;
        throw new NoiseInputException($"--speed must be realtime, max or a positive factor (e.g. 10), got '{text}'");
    }
}

/// <summary>Live sources compare a transient's GPS time with the system's GPS clock (when the data are recent).</summary>
internal static class LiveClock
{
    public static long? TicksAt(double gps)
    {
        double behind = GpsClock.Now() - gps;
        if (Math.Abs(behind) > 86400) return null;
        return Stopwatch.GetTimestamp() - (long)(behind * Stopwatch.Frequency);
    }
}

/// <summary>
/// `twin:SCENARIO`: the twin generates the scenario (every component, its state vector) in 1 s frames aligned
/// to GPS seconds, paced by <see cref="Pacer"/>. The engine runs on its own thread ahead of the pacing.
/// </summary>
/// <param name="leadSeconds">Seconds of data before the scenario's start (a replay whose PSD should be settled when
/// the start arrives); the duration counts from the start.</param>
public sealed class TwinSource(Scenario scenario, double? durationSeconds, Pacer pacer, DeviceChoice device, int threads, SignalComponents components = SignalComponents.All, double leadSeconds = 0) : IStrainSource
{
    public string Description => $"twin:{scenario.Name} (seed {scenario.Seed}, {scenario.SampleRate} Hz)";
    public long? TicksAtGps(double gps) => pacer.TicksAt(gps);

    public async IAsyncEnumerable<StrainFrame> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var frames = Channel.CreateBounded<StrainFrame>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        var producer = Task.Factory.StartNew(() => Produce(frames.Writer, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await foreach (var f in frames.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return f;
        await producer.ConfigureAwait(false);
    }

    private void Produce(ChannelWriter<StrainFrame> writer, CancellationToken ct)
    {
        try
        {
            int fs = scenario.SampleRate;
            using var dev = ComputeDevice.Create(device, threads);
            using var engine = new NoiseEngine(dev, scenario, 16, components);
            long lead = (long)Math.Round(leadSeconds * fs);
            long first = scenario.GpsStart.ToSampleIndex(fs) - lead;
            long total = durationSeconds is double d ? (long)Math.Round(d * fs) + lead : long.MaxValue;
            long done = 0;
            while (done < total && !ct.IsCancellationRequested)
            {
                long n = Math.Min(total - done, 3600L * fs);
                engine.Generate(first + done, n, (span, at) =>
                {
                    // cut into frames that end on GPS second boundaries, one state per frame
                    int i = 0;
                    while (i < span.Length)
                    {
                        long k = at + i;
                        long secondEnd = (SampleMath.FloorDiv(k, fs) + 1) * fs;
                        int take = (int)Math.Min(span.Length - i, secondEnd - k);
                        var data = span.Slice(i, take).ToArray();
                        Emit(writer, new StrainFrame(k, fs, data, Ready(engine, k, fs), 0), ct);
                        i += take;
                    }
                }, ct);
                done += n;
            }
            writer.TryComplete();
        }
        catch (OperationCanceledException) { writer.TryComplete(); }
        catch (Exception e) { writer.TryComplete(e); }
    }

    private static bool Ready(NoiseEngine engine, long k, int fs) =>
        engine.Lock is null || Simulation.Environment.LockTimeline.IsReady(engine.Lock.State(SampleMath.FloorDiv(k, fs)));

    private void Emit(ChannelWriter<StrainFrame> writer, StrainFrame f, CancellationToken ct)
    {
        pacer.WaitFor(f.GpsStart, (double)f.EndSample / f.SampleRate, ct);
        var stamped = f with { ArrivalTicks = Stopwatch.GetTimestamp() };
        while (!writer.TryWrite(stamped))
            if (!writer.WaitToWriteAsync(ct).AsTask().GetAwaiter().GetResult()) return;
    }
}

/// <summary>`file:PATH`: replays a strain file (our Parquet/HDF5, GWOSC HDF5 or ASCII) in 1 s frames, paced.</summary>
public sealed class FileSource : IStrainSource
{
    private readonly string path;
    private readonly Pacer pacer;
    private readonly StrainSeries s;

    /// <summary>Reads the file now, so a bad file fails before the stream starts and triggers name its channel.</summary>
    /// <param name="channel">For a frame file (.gwf): the channel to read (needed when it holds several).</param>
    public FileSource(string path, Pacer pacer, string? channel = null)
    {
        if (!File.Exists(path)) throw new NoiseInputException($"--source file:{path}: no such file");
        (this.path, this.pacer, s) = (path, pacer, StrainReader.Read(path, channel));
    }

    public string Description => "file:" + path;
    /// <summary>The file's channel (e.g. H1:GWOSC-STRAIN), which the triggers carry.</summary>
    public string Channel => s.Channel;
    public long? TicksAtGps(double gps) => pacer.TicksAt(gps);

    public async IAsyncEnumerable<StrainFrame> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        int fs = (int)Math.Round(s.SampleRate);
        long first = (long)Math.Round(s.GpsStart * fs);
        long k = first;
        while (k < first + s.Data.Length)
        {
            ct.ThrowIfCancellationRequested();
            long end = Math.Min(first + s.Data.Length, (SampleMath.FloorDiv(k, fs) + 1) * fs);
            var data = new float[end - k];
            for (int i = 0; i < data.Length; i++) data[i] = (float)s.Data[k - first + i];
            await Task.Run(() => pacer.WaitFor((double)k / fs, (double)end / fs, ct), ct).ConfigureAwait(false);
            yield return new StrainFrame(k, fs, data, true, Stopwatch.GetTimestamp());
            k = end;
        }
    }
}

/// <summary>
/// `dir:PATH`: a folder where short strain files appear, named like low-latency h(t) frames
/// (OBS-TAG-GPS-DURATION.ext with ext gwf, hdf5, h5, txt or parquet; e.g. L-L1_llhoft-1238166018-1.gwf, the
/// channel chosen by name when a frame holds several).
/// Files are taken in GPS order. A file that cannot be read yet (still being written) is retried until it reads
/// whole; writers should write under another name and rename. When the next expected file is missing, later
/// ones wait up to <see cref="WaitSeconds"/> of wall time for it, then the stream moves on (a gap); a file
/// that then turns up behind the stream is counted as late and skipped.
/// </summary>
public sealed partial class DirSource(string path, StreamMetrics metrics, double waitSeconds = 2, double pollSeconds = 0.05, string? channel = null) : IStrainSource
{
    [GeneratedRegex(@"^[A-Z]+-[^-]+-(?<gps>\d+)-(?<dur>\d+)\.(gwf|hdf5|h5|txt|parquet)$")]
    private static partial Regex FrameName();

    public double WaitSeconds => waitSeconds;
    public string Description => "dir:" + path;
    public long? TicksAtGps(double gps) => LiveClock.TicksAt(gps);

    public async IAsyncEnumerable<StrainFrame> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        if (!Directory.Exists(path)) throw new NoiseInputException($"--source dir:{path}: no such folder");
        // files already taken (or given up), with the GPS second they end at; pruned as the stream moves on so a
        // service that runs for months keeps a bounded set
        var done = new Dictionary<string, long>(StringComparer.Ordinal);
        long next = long.MinValue;          // GPS second the stream expects next
        long waitingSince = 0;
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        while (!ct.IsCancellationRequested)
        {
            var files = Directory.EnumerateFiles(path)
                .Select(f => (File: f, M: FrameName().Match(Path.GetFileName(f))))
                .Where(x => x.M.Success && !done.ContainsKey(x.File))
                .Select(x => (x.File, Gps: long.Parse(x.M.Groups["gps"].Value, CultureInfo.InvariantCulture), Dur: long.Parse(x.M.Groups["dur"].Value, CultureInfo.InvariantCulture)))
                .OrderBy(x => x.Gps).ToList();
            StrainFrame? frame = null;
            foreach (var f in files)
            {
                if (next != long.MinValue && f.Gps + f.Dur <= next)
                {
                    done[f.File] = f.Gps + f.Dur;
                    Interlocked.Increment(ref metrics.LateFiles);
                    continue;
                }
                bool due = next == long.MinValue || f.Gps <= next
                    || (waitingSince != 0 && Stopwatch.GetElapsedTime(waitingSince).TotalSeconds >= waitSeconds);
                if (!due)
                {
                    if (waitingSince == 0) waitingSince = Stopwatch.GetTimestamp();
                    break;
                }
                try
                {
                    var s = StrainReader.Read(f.File, channel);
                    int fs = (int)Math.Round(s.SampleRate);
                    frame = new StrainFrame((long)Math.Round(s.GpsStart * fs), fs, s.Data.Select(v => (float)v).ToArray(), true, Stopwatch.GetTimestamp());
                    done[f.File] = f.Gps + f.Dur;
                    next = f.Gps + f.Dur;
                    waitingSince = 0;
                    failures.Remove(f.File);
                    if (done.Count > 4096)
                        foreach (var old in done.Where(kv => kv.Value < next - 3600).Select(kv => kv.Key).ToList()) done.Remove(old);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or NoiseInputException or FormatException or InvalidOperationException or UnauthorizedAccessException)
                {
                    // still being written: try again on the next poll, give up after ~5 s
                    int n = failures[f.File] = failures.GetValueOrDefault(f.File) + 1;
                    if (n * pollSeconds > 5) { done[f.File] = f.Gps + f.Dur; failures.Remove(f.File); Interlocked.Increment(ref metrics.BadFiles); }
                }
                break;
            }
            if (frame is not null) { yield return frame; continue; }
            try { await Task.Delay(TimeSpan.FromSeconds(pollSeconds), ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { yield break; }
        }
    }
}

/// <summary>
/// `tcp:HOST:PORT` (a client that reconnects with back-off whenever the sender goes away) and `stdin`:
/// raw frames in the <see cref="FrameCodec"/> format.
/// </summary>
public sealed class FrameStreamSource(string? host, int port, StreamMetrics metrics) : IStrainSource
{
    public string Description => host is null ? "stdin" : $"tcp:{host}:{port}";
    public long? TicksAtGps(double gps) => LiveClock.TicksAt(gps);

    public async IAsyncEnumerable<StrainFrame> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        if (host is null)
        {
            var stdin = Console.OpenStandardInput();
            while (true)
            {
                var f = await FrameCodec.ReadAsync(stdin, ct).ConfigureAwait(false);
                if (f is null) yield break;
                yield return f;
            }
        }
        double backoff = 0.1;
        bool connectedOnce = false;
        while (!ct.IsCancellationRequested)
        {
            TcpClient? client = null;
            try
            {
                client = new TcpClient { NoDelay = true };
                await client.ConnectAsync(host, port, ct).ConfigureAwait(false);
                if (connectedOnce) Interlocked.Increment(ref metrics.Reconnects);
                connectedOnce = true;
                backoff = 0.1;
            }
            catch (SocketException)
            {
                client?.Dispose();
                client = null;
            }
            if (client is not null)
            {
                using (client)
                {
                    var stream = client.GetStream();
                    while (!ct.IsCancellationRequested)
                    {
                        StrainFrame? f;
                        try { f = await FrameCodec.ReadAsync(stream, ct).ConfigureAwait(false); }
                        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or InvalidDataException) { f = null; }
                        if (f is null) break;   // the sender went away: reconnect
                        yield return f;
                    }
                }
            }
            try { await Task.Delay(TimeSpan.FromSeconds(backoff), ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { yield break; }
            backoff = Math.Min(2, backoff * 2);
        }
    }
}
