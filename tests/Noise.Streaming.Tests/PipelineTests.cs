using Noise.Core;
using Noise.Detection;
using Noise.Detection.Model;
using Noise.Simulation;
using Noise.Simulation.Transients;
using Noise.Streaming.Sinks;
using Noise.Streaming.Sources;

namespace Noise.Streaming.Tests;

/// <summary>Collects triggers in memory.</summary>
internal sealed class ListSink : ITriggerSink
{
    public List<StreamTrigger> Triggers { get; } = [];
    public string Name => "list";
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public void Offer(StreamTrigger trigger) { lock (Triggers) Triggers.Add(trigger); }
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public class PipelineTests
{
    internal static (GlitchNet Net, DetectorSpec Spec, System.Text.Json.Nodes.JsonObject Doc) Shipped() =>
        ModelStore.Load(Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "models", "glitchnet-o3"));

    /// <summary>
    /// The twin at max speed through the whole pipeline: model triggers land on the catalogue's glitches (time and
    /// class) and the loud ones are found; nothing triggers while the detector is unlocked.
    /// </summary>
    [Fact]
    public async Task TwinStreamTriggersAtTheCataloguesTimesAndClasses()
    {
        var (net, spec, doc) = Shipped();
        using var _ = net;
        var scenario = ScenarioLoader.Load(Noise.TestSupport.RepoPaths.Config("virgo-o3.yaml")) with { Seed = 424242 };
        double seconds = 1800;
        var metrics = new StreamMetrics();
        var sink = new ListSink();
        var settings = new StreamSettings { Threshold = DetectThreshold(doc), Baseline = false, BaselineMayDrop = false };
        var pipeline = new StreamPipeline(new Detector(net, spec), settings, [sink], metrics);
        await pipeline.RunAsync(new TwinSource(scenario, seconds, new Pacer(double.PositiveInfinity), DeviceChoice.Cpu, 2), CancellationToken.None);

        int fs = scenario.SampleRate;
        long first = scenario.GpsStart.ToSampleIndex(fs);
        var truth = new GlitchPopulation(scenario).Catalogue(first, first + (long)(seconds * fs)).Where(e => e.Kind == "glitch").ToList();
        var lockTimeline = new Simulation.Environment.LockTimeline(scenario);
        bool Ready(double t) => Simulation.Environment.LockTimeline.IsReady(lockTimeline.State((long)Math.Floor(t)));
        // the stream needs 10 s for its first PSD; events later than that, in analysis-ready time
        double start = scenario.GpsStart.ToDouble() + 16, end = scenario.GpsStart.ToDouble() + seconds - 4;
        var loud = truth.Where(e => e.Snr >= 15 && e.PeakTime.ToDouble() > start && e.PeakTime.ToDouble() < end && Ready(e.PeakTime.ToDouble())).ToList();
        var model = sink.Triggers.Select(t => t.Record).Where(r => r.Pipeline == "glitchnet").ToList();
        TransientEvent? Near(TriggerRecord r) => truth.Where(e => Math.Abs(e.PeakTime.ToDouble() - r.PeakTime.ToDouble()) < 1).OrderBy(e => Math.Abs(e.PeakTime.ToDouble() - r.PeakTime.ToDouble())).FirstOrDefault();
        double found = loud.Count(e => model.Any(r => Math.Abs(r.PeakTime.ToDouble() - e.PeakTime.ToDouble()) < 1)) / (double)loud.Count;
        var matched = model.Select(r => (r, e: Near(r))).Where(x => x.e is not null).ToList();
        double precision = matched.Count / (double)model.Count;
        double classOk = matched.Count(x => x.e!.Class == x.r.Class) / (double)matched.Count;
        string summary = $"{loud.Count} loud glitches, found {found:F2}; {model.Count} model triggers, on a catalogue glitch {precision:F2}, class right {classOk:F2}";
        Assert.True(loud.Count >= 5, summary);
        Assert.True(found >= 0.7, summary);
        Assert.True(precision >= 0.7, summary);
        // the shipped model's own class accuracy (issue 4's open goal) is what limits this, not the stream:
        // it calls many loud Blips Extremely_Loud in batch mode too
        Assert.True(classOk >= 0.4, summary);
        Assert.All(model, r => Assert.True(Ready(r.PeakTime.ToDouble()), $"trigger at {r.PeakTime} while not analysis-ready"));
        Assert.Equal(seconds, metrics.DataSeconds, 6);
        Assert.True(metrics.ComputeModel.Count == model.Count);
        Console.WriteLine(summary);
    }

    /// <summary>
    /// A replay at max speed (whitening in whole blocks, windows in batches of 64) and the same data paced (a frame at
    /// a time) give the same triggers: where whitening got to never moves a filter's cross-fade. Same triggers means
    /// the same count, classes and times to within 2 ms: how blocks and batches fall (which depends on the wall clock
    /// when paced) changes the FFTs' and the network's rounding, and once in CI that moved a trigger's time across a
    /// millisecond (41.8455 s printed as .846 and .845).
    /// </summary>
    [Fact]
    public async Task PacingDoesNotChangeTheTriggers()
    {
        var (net, spec, _) = Shipped();
        using var _n = net;
        var scenario = ScenarioLoader.Load(Noise.TestSupport.RepoPaths.Config("virgo-o3.yaml")) with { Seed = 20190402 };
        async Task<List<(double Time, string Class)>> Run(double speed)
        {
            var sink = new ListSink();
            var pipeline = new StreamPipeline(new Detector(net, spec), new StreamSettings { Threshold = 0.9, Baseline = false }, [sink], new StreamMetrics());
            await pipeline.RunAsync(new TwinSource(scenario, 300, new Pacer(speed), DeviceChoice.Cpu, 2), CancellationToken.None);
            return sink.Triggers.Select(t => (t.Record.PeakTime.ToDouble(), t.Record.Class)).ToList();
        }
        var fast = await Run(double.PositiveInfinity);
        var paced = await Run(30);
        Assert.NotEmpty(fast);
        string Show(List<(double Time, string Class)> triggers) => string.Join(", ", triggers.Select(t => $"{t.Time:F4} {t.Class}"));
        Assert.True(fast.Count == paced.Count && fast.Zip(paced).All(p => p.First.Class == p.Second.Class && Math.Abs(p.First.Time - p.Second.Time) <= 0.002),
            $"max speed: {Show(fast)}\npaced: {Show(paced)}");
    }

    /// <summary>
    /// What `noise evaluate` counts is what the stream sends: StreamScan's triggers, made afterwards from the windows
    /// and tiles it kept, equal (every field) the triggers a StreamPipeline with the same settings emits live on the
    /// same data, for the model and the baseline, away from the stretch's ends (where the live stream also sees the
    /// lead-in and the tail).
    /// </summary>
    [Fact]
    public async Task EvaluationThroughTheStreamCountsTheTriggersTheStreamSends()
    {
        var (net, spec, _) = Shipped();
        using var _n = net;
        var detector = new Detector(net, spec);
        var scenario = ScenarioLoader.Load(Noise.TestSupport.RepoPaths.Config("virgo-o3.yaml")) with { Seed = 20190406 };
        double seconds = 600, modelThreshold = 0.5, baselineSnr = 6;
        var scan = new StreamScan(detector, StreamScan.SettingsFor(spec), 2);
        var (scores, tiles, _) = scan.Scan(scenario, SignalComponents.All, seconds);

        var sink = new ListSink();
        var live = new StreamPipeline(detector, StreamScan.SettingsFor(spec) with { Threshold = modelThreshold, BaselineSnr = baselineSnr }, [sink], new StreamMetrics());
        await live.RunAsync(new TwinSource(scenario, seconds + scan.TailSeconds, new Pacer(double.PositiveInfinity), DeviceChoice.Cpu, 2, SignalComponents.All, scan.LeadSeconds), CancellationToken.None);

        double from = scenario.GpsStart.ToDouble() + 4, to = scenario.GpsStart.ToDouble() + seconds - 4;
        bool Inside(TriggerRecord r) => r.PeakTime.ToDouble() >= from && r.PeakTime.ToDouble() < to;
        var sent = sink.Triggers.Select(t => t.Record).Where(Inside).OrderBy(r => r.Pipeline, StringComparer.Ordinal).ThenBy(r => r.PeakTime).ToList();
        var counted = scan.ModelTriggers(scores, modelThreshold).Select(t => TriggerRecords.Of(t, "V1", "V1:Hrec_hoft_16384Hz"))
            .Concat(scan.BaselineTriggers(tiles, baselineSnr).Select(q => TriggerRecords.Of(q, "V1", "V1:Hrec_hoft_16384Hz")))
            .Where(Inside).OrderBy(r => r.Pipeline, StringComparer.Ordinal).ThenBy(r => r.PeakTime).ToList();
        Assert.True(sent.Count(r => r.Pipeline == TriggerRecords.ModelPipeline) >= 5, $"{sent.Count} triggers sent");
        Assert.True(sent.Count(r => r.Pipeline == TriggerRecords.BaselinePipeline) >= 5, $"{sent.Count} triggers sent");
        Assert.Equal(sent, counted);
    }

    /// <summary>Frames from a sender that stops for a day and comes back.</summary>
    private sealed class DayGapSource : IStrainSource
    {
        public string Description => "day gap";
        public long? TicksAtGps(double gps) => null;

        public async IAsyncEnumerable<StrainFrame> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            var r = new Random(5);
            foreach (long second in Enumerable.Range(0, 40).Select(i => 1238166018L + i).Concat(Enumerable.Range(0, 40).Select(i => 1238166018L + 40 + 86400 + i)))
            {
                var data = new float[4096];
                for (int i = 0; i < data.Length; i++) data[i] = (float)(1e-21 * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
                yield return new StrainFrame(second * 4096, 4096, data, true, System.Diagnostics.Stopwatch.GetTimestamp());
                await Task.Yield();
            }
        }
    }

    /// <summary>A sender back after a day: the stream jumps to the new data at once and goes on whitening and scoring.</summary>
    [Fact]
    public async Task ADayLongGapIsSkippedNotWalked()
    {
        var (net, spec, _) = Shipped();
        using var _n = net;
        var metrics = new StreamMetrics();
        var pipeline = new StreamPipeline(new Detector(net, spec), new StreamSettings { Threshold = 0.9 }, [new ListSink()], metrics);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await pipeline.RunAsync(new DayGapSource(), CancellationToken.None);
        // measured: 2 s with the cursors jumping, 27 s when they walked the day
        Assert.True(sw.Elapsed.TotalSeconds < 10, $"took {sw.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(86400, metrics.GapSeconds, 6);
        Assert.Equal(80, metrics.DataSeconds, 6);
        // windows were scored on both sides of the gap: ~ (40 - 18 s first PSD - 2.5 s) / 0.25 before, ~ (40 - 3) / 0.25 after
        Assert.True(metrics.WindowsScored > 150, $"{metrics.WindowsScored} windows scored");
    }

    private static double DetectThreshold(System.Text.Json.Nodes.JsonObject doc) => doc["metrics"]!["threshold_far_1_per_hour"]!.GetValue<double>();

    [Fact]
    public void ClustererReportsOneTriggerPerRunAtMostHoldSecondsAfterItsStart()
    {
        var (net, spec, _) = Shipped();
        using var _n = net;
        // the clustering alone: each window its own statistic (the smoothing has its own tests)
        var detector = new Detector(net, spec with { SmoothWindows = 1 });
        var c = new StreamClusterer(detector, holdSeconds: 0.5, strideSeconds: 0.25);
        float[] Probs(double glitch)
        {
            var p = new float[spec.Classes.Count];
            p[spec.NoneIndex] = (float)(1 - glitch);
            p[spec.IndexOf("Blip")] = (float)glitch;
            return p;
        }
        WindowScore W(double t, double p) => new(t, p, Probs(p), t + 1);
        var emitted = new List<(double At, ModelTrigger T)>();
        // a run from 0.25 to 1.5, a dip, the same transient back above threshold at 2.25 (its windows still
        // overlap the run's last one, so its own windows, to 4.25, belong to it too), then a new transient at 5.0
        double[] ps = [0.1, 0.95, 0.97, 0.99, 0.98, 0.96, 0.95, 0.2, 0.1, 0.97, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.97, 0.2];
        for (int i = 0; i < ps.Length; i++)
            foreach (var t in c.Feed(i * 0.25, W(i * 0.25, ps[i]), 0.9)) emitted.Add((i * 0.25, t));
        Assert.Equal(2, emitted.Count);
        Assert.Equal(0.75, emitted[0].At);             // 0.5 s after the run's first window (0.25), not at its end (1.5)
        Assert.Equal(0.75 + 1, emitted[0].T.Time);     // the best window so far (p 0.99 at 0.75)
        Assert.Equal("Blip", emitted[0].T.Class);
        Assert.Equal(5.25, emitted[1].At);             // a one-window run is reported when it ends
        Assert.Equal(6, emitted[1].T.Time);
        Assert.Empty(c.Flush(0.9));
        // a window that could not be scored (a gap) ends a run
        Assert.Empty(c.Feed(8.0, W(8.0, 0.95), 0.9));
        Assert.Single(c.Feed(8.25, null, 0.9));
    }
}

public class SmoothedClustererTests
{
    /// <summary>With the shipped model's statistic (three windows), a window is decided one stride later, and a
    /// one-window spike no longer triggers.</summary>
    [Fact]
    public void TheStreamDecidesEachWindowWhenItsSuccessorIsScored()
    {
        var (net, spec, _) = PipelineTests.Shipped();
        using var _n = net;
        Assert.Equal(3, spec.SmoothWindows);
        var c = new StreamClusterer(new Detector(net, spec), holdSeconds: 0.5, strideSeconds: 0.25);
        WindowScore W(double t, double p)
        {
            var probs = new float[spec.Classes.Count];
            probs[spec.NoneIndex] = (float)(1 - p);
            probs[spec.IndexOf("Blip")] = (float)p;
            return new(t, p, probs, t + 1);
        }
        var emitted = new List<(double At, ModelTrigger T)>();
        // a lone spike at 1.0 among quiet windows, then a transient over 3.0-4.0
        double[] ps = [0.01, 0.01, 0.01, 0.01, 0.9999, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.995, 0.999, 0.999, 0.998, 0.995, 0.01, 0.01, 0.01];
        for (int i = 0; i < ps.Length; i++)
            foreach (var t in c.Feed(i * 0.25, W(i * 0.25, ps[i]), 0.98)) emitted.Add((i * 0.25, t));
        var single = Assert.Single(emitted);
        // the run's edges (3.0, 4.0) average in their quiet neighbours and stay below; it runs from 3.25, is held
        // 0.5 s to the window at 3.75, and that window is decided when the one at 4.0 is scored
        Assert.Equal(4.0, single.At);
        Assert.InRange(single.T.Time, 4.0, 5.0);
        Assert.Empty(c.Flush(0.98));
    }
}

public class HttpSinkTests
{
    private static StreamTrigger Trigger(int i) => new(new TriggerRecord
    {
        Ifo = "V1", Channel = "V1:Hrec_hoft_16384Hz", Pipeline = "glitchnet",
        PeakTime = new GpsTime(1238166018 + i, 0), StartTime = new GpsTime(1238166017 + i, 0), Duration = 2, Class = "Blip", Probability = 0.99, ClassProbability = 0.9,
    }, 1, 5, null, 0);

    /// <summary>A client that never reads loses its oldest events; offering never waits and other clients keep up.</summary>
    [Fact]
    public async Task AStuckSseClientNeverSlowsTheStreamAndLosesItsOldestEvents()
    {
        var metrics = new StreamMetrics();
        await using var sink = HttpSink.Parse("127.0.0.1:0", metrics);
        await sink.StartAsync(CancellationToken.None);
        var uri = sink.Address!;
        // the stuck client: asks for the stream, then never reads
        using var stuck = new System.Net.Sockets.TcpClient();
        await stuck.ConnectAsync(uri.Host, uri.Port);
        await stuck.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /triggers HTTP/1.1\r\nHost: {uri.Host}\r\n\r\n"));
        // a good client that reads everything
        using var http = new HttpClient { BaseAddress = uri };
        using var response = await http.GetAsync("/triggers", HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (Interlocked.Read(ref metrics.SseClients) < 2 && sw.Elapsed.TotalSeconds < 10) await Task.Delay(20);
        Assert.Equal(2, Interlocked.Read(ref metrics.SseClients));
        const int n = 20000;
        var last = "";
        string newest = $"\"peak_time\":{1238166018 + n - 1}";
        var readAll = Task.Run(async () =>
        {
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null)
                if (line.StartsWith("data: ", StringComparison.Ordinal) && (last = line).Contains(newest, StringComparison.Ordinal)) break;
        });
        sw.Restart();
        for (int i = 0; i < n; i++)
        {
            sink.Offer(Trigger(i));
            if (i % 200 == 199) await Task.Delay(5);   // the good client keeps up with a fast but finite stream
        }
        double offering = sw.Elapsed.TotalSeconds;
        await Task.WhenAny(readAll, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(offering < 5, $"offering {n} triggers took {offering:F2} s");
        Assert.True(Interlocked.Read(ref metrics.SseDropped) > 0, "the stuck client's queue should have dropped its oldest events");
        Assert.Contains(newest, last, StringComparison.Ordinal);   // the good client got the newest
    }
}
