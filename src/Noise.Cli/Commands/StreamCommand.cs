using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Noise.Core;
using Noise.Detection.Model;
using Noise.IO;
using Noise.Simulation;
using Noise.Streaming;
using Noise.Streaming.Sinks;
using Noise.Streaming.Sources;

namespace Noise.Cli.Commands;

/// <summary>`noise stream`: the near-real-time trigger service (see Noise.Streaming).</summary>
internal static class StreamCommand
{
    /// <summary>The stream's SIGINT/SIGTERM handlers, held for the life of the process (see where they are created).</summary>
    private static PosixSignalRegistration[] s_signals = [];
    public static Command Create()
    {
        var model = new Option<DirectoryInfo?>("--model", "-m") { Description = "Model folder (default: the shipped models/glitchnet-o3)." };
        var source = new Option<string>("--source", "-s")
        {
            Description = "Where strain comes from: twin:SCENARIO (the twin itself, e.g. twin:virgo-o3.yaml), file:PATH (replay of our Parquet/HDF5 or GWOSC HDF5/ASCII), " +
                          "dir:PATH (a folder where low-latency files OBS-TAG-GPS-DUR.hdf5|txt|parquet appear), tcp:HOST:PORT or stdin (raw frames: a 32-byte header " +
                          "'NZST', version 1, float64 GPS start, uint32 rate, uint32 count, uint32 flags (bit 0 analysis-ready), uint32 0; then float32 samples; little-endian).",
            Required = true,
        };
        var sinks = new Option<string[]>("--sink") { Description = "Where triggers go (repeatable): jsonl:PATH, jsonl:- (stdout), parquet:PATH (rolling hourly table), ligolw:PATH (the same as LIGO_LW sngl_burst, .xml.gz), http:[HOST:]PORT (SSE /triggers, /health, /metrics, live page /; loopback unless a host is named). Default jsonl:-.", AllowMultipleArgumentsPerToken = false };
        var speed = new Option<string>("--speed") { Description = "Pacing of twin: and file: sources: realtime, max, or a factor such as 10.", DefaultValueFactory = _ => "realtime" };
        var stats = new Option<FileInfo?>("--stats") { Description = "Write latency, throughput, data-quality and memory statistics as JSON here (every 10 s and at the end, atomically)." };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds of data (twin: default unlimited)." };
        var seed = new Option<long?>("--seed") { Description = "twin: the scenario's random seed (default: the scenario's)." };
        var components = new Option<string?>("--components") { Description = "twin: what goes into the strain, e.g. noise,lines for glitch-free background (default: all the scenario defines)." };
        var threshold = new Option<double?>("--threshold") { Description = "Model glitch-probability threshold (default: the one model.json records for a FAR of 1/h through the stream, else its block one). Triggers of a threshold given here carry far_per_hour null." };
        var baselineSnr = new Option<double?>("--baseline-snr") { Description = "Baseline SNR threshold (default: model.json's for 1/h through the stream, else its block one). Given here: far_per_hour null." };
        var baseline = new Option<bool>("--no-baseline") { Description = "Run the model alone (the Q-transform baseline runs beside it by default)." };
        var stride = new Option<double?>("--stride") { Description = "Seconds between model windows (default: the model's, 0.25)." };
        var filter = new Option<double>("--filter-seconds") { Description = "Whitening filter length (a zero-phase FIR fitted by least squares to the conditioning gain, weighted by the running PSD); half of it is the whitener's latency.", DefaultValueFactory = _ => 1.0 };
        var psdSeconds = new Option<double>("--psd-seconds") { Description = "History of the running PSD: the median of the periodograms of this many seconds of usable data.", DefaultValueFactory = _ => 128.0 };
        var psdUpdate = new Option<double>("--psd-update") { Description = "Seconds of data between re-estimates of the running PSD.", DefaultValueFactory = _ => 16.0 };
        var hold = new Option<double>("--hold") { Description = "A trigger is emitted at most this long after the first window above threshold.", DefaultValueFactory = _ => 0.5 };
        var device = new Option<string>("--device") { Description = "twin: auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var channel = new Option<string?>("--channel") { Description = "The channel triggers carry, IFO:NAME (its prefix is their ifo), e.g. H1:GDS-CALIB_STRAIN. dir:, tcp: and stdin frames name no channel: V1:Hrec_hoft_16384Hz unless given; twin: and file: sources name their own. For GWF frame files (file: or dir:) it is also the channel read from them (needed when a frame holds several)." };
        var threads = CliOptions.Threads();
        var noCbc = CliOptions.NoCbcCheck();
        var cmd = new Command("stream",
            "Run the glitch detector on a stream and emit triggers within about a second: a ring buffer, a running PSD,\n" +
            "FIR whitening without edge artefacts, the model on sliding windows, the Q-transform baseline beside it,\n" +
            "one trigger per transient, no triggers while the detector is not analysis-ready, measured latency on every\n" +
            "trigger. Stops at the end of a file, stdin or --duration, or cleanly on Ctrl-C / SIGTERM (sinks flushed).\n" +
            "Examples:\n" +
            "  noise stream --source twin:virgo-o3.yaml --sink jsonl:- --sink http:8080     (then open http://127.0.0.1:8080/)\n" +
            "  noise stream --source file:../shared/data/strain/H-H1_LOSC_4_V2-1126259446-32.hdf5 --speed max --sink jsonl:triggers.jsonl --stats stats.json")
        { model, source, sinks, speed, stats, duration, seed, components, threshold, baselineSnr, baseline, stride, filter, psdSeconds, psdUpdate, hold, device, threads, channel, noCbc };
        cmd.SetAction((r, ct) => RunAsync(r.GetValue(model), r.GetValue(source)!, r.GetValue(sinks) ?? [], r.GetValue(speed)!, r.GetValue(stats), r.GetValue(duration),
            r.GetValue(seed), r.GetValue(components), r.GetValue(threshold), r.GetValue(baselineSnr), !r.GetValue(baseline), r.GetValue(stride), r.GetValue(filter), r.GetValue(psdSeconds), r.GetValue(psdUpdate), r.GetValue(hold),
            r.GetValue(device)!, r.GetValue(threads), r.GetValue(channel), r.GetValue(noCbc), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(DirectoryInfo? modelDir, string sourceSpec, string[] sinkSpecs, string speedText, FileInfo? statsFile, double? duration,
        long? seed, string? componentsText, double? threshold, double? baselineSnr, bool baseline, double? stride, double filterSeconds, double psdSeconds, double psdUpdate, double hold, string deviceText, int? threadsOpt, string? channelName, bool noCbc, CancellationToken invocation)
    {
        // stopped by our own Ctrl-C / SIGTERM handling (Program leaves System.CommandLine's out for this verb), registered
        // first so a signal during start-up stops the stream too
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(invocation);
        // SIGINT and SIGTERM stop the stream cleanly: the source is left, queued triggers are written, stats saved.
        // The handlers stay registered until the process exits: a SIGTERM that meets a stream already finishing (a
        // service stopped just as its --duration ran out) would otherwise get the default action and exit code 143.
        void Stop(PosixSignalContext c)
        {
            c.Cancel = true;
            try { stop.Cancel(); }
            catch (ObjectDisposedException) { }   // the stream is over: nothing left to stop
        }
        s_signals = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop)];
        if (channelName is not null && !ScenarioLoader.IsChannelName(channelName))
            throw new NoiseInputException($"--channel must be IFO:NAME (e.g. H1:GDS-CALIB_STRAIN), got '{channelName}'");
        double speed = Pacer.Parse(speedText);
        if (duration is double d0 && !(d0 > 0 && double.IsFinite(d0))) throw new NoiseInputException($"--duration must be a positive number of seconds, got {duration}");
        if (stride is double s0 && !(s0 > 0 && double.IsFinite(s0))) throw new NoiseInputException($"--stride must be a positive number of seconds, got {stride}");
        if (!(hold >= 0)) throw new NoiseInputException($"--hold must be >= 0, got {hold}");
        var modelPath = (modelDir ?? RunCommand.ShippedModel()).FullName;
        var (net, spec, doc) = ModelStore.Load(modelPath);
        using var _ = net;
        var (th, bsnr, modelFar, baselineFar) = DetectCommand.Thresholds(doc, threshold, baselineSnr, stream: true);
        if (th is <= 0 or >= 1) throw new NoiseInputException($"--threshold must lie in (0, 1), got {th}");
        StreamTrigger.Version = Program.Version;
        var metrics = new StreamMetrics();
        var comps = componentsText is null ? SignalComponents.All : SignalComponentsParser.Parse(componentsText);
        var (src, sourceChannel) = Source(sourceSpec, speed, duration, seed, comps, deviceText, CliOptions.ResolveThreads(threadsOpt), metrics, channelName);
        string channel = channelName ?? sourceChannel;
        bool replay = double.IsPositiveInfinity(speed) && src is TwinSource or FileSource;
        var settings = new StreamSettings
        {
            Threshold = th, BaselineSnr = bsnr, ModelFarPerHour = modelFar, BaselineFarPerHour = baselineFar, Baseline = baseline, StrideSeconds = stride, FilterSeconds = filterSeconds, HoldSeconds = hold, PsdUpdateSeconds = psdUpdate, PsdSeconds = psdSeconds,
            Channel = channel, Ifo = channel.Split(':')[0],
            BaselineMayDrop = !replay,
            // nobody waits on a replay at max speed: whole blocks and full batches (scoring a frame's few windows
            // at a time took the model 1.5x as long), and what is scored no longer depends on the wall clock
            WholeBlocks = replay,
        };
        var sinkList = (sinkSpecs.Length == 0 ? ["jsonl:-"] : sinkSpecs).Select(s => SinkFactory.Create(s, metrics)).ToList();

        foreach (var s in sinkList)
        {
            await s.StartAsync(stop.Token).ConfigureAwait(false);
            if (s is HttpSink h) Console.Error.WriteLine($"stream: serving {h.Address} (live page /, SSE /triggers, /health, /metrics)");
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stream: {src.Description} -> {string.Join(", ", sinkList.Select(s => s.Name))}; model {modelPath} (p >= {th:F4}), baseline {(baseline ? $"SNR >= {bsnr:F2}" : "off")}, speed {speedText}"));
        using var statsLoop = new CancellationTokenSource();
        var statsTask = statsFile is null ? Task.CompletedTask : StatsLoop(statsFile.FullName, metrics, speed, statsLoop.Token);
        var detector = Detector.ForCores(net, spec, CliOptions.ResolveThreads(threadsOpt));
        if (noCbc) detector.CbcCheck = null;
        var pipeline = new StreamPipeline(detector, settings, sinkList, metrics);
        Exception? failure = null;
        try
        {
            await pipeline.RunAsync(duration is double d && src is not TwinSource ? new Limited(src, d) : src, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not NoiseInputException)
        {
            failure = e;
        }
        finally
        {
            await statsLoop.CancelAsync().ConfigureAwait(false);
            await statsTask.ConfigureAwait(false);
            foreach (var s in sinkList) await s.DisposeAsync().ConfigureAwait(false);
            if (statsFile is not null) WriteStats(statsFile.FullName, metrics, speed);
        }
        var summary = metrics.Stats(speed);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stream: {(failure is not null ? "stopped by an error" : stop.IsCancellationRequested ? "stopped" : "done")}: {metrics.DataSeconds:F0} s of data in {metrics.UptimeSeconds:F1} s ({summary["throughput_x_realtime"]}x real time); " +
            $"triggers {(metrics.TriggersByPipeline.IsEmpty ? "none" : string.Join(", ", metrics.TriggersByPipeline.Select(kv => $"{kv.Key} {kv.Value}")))}; " +
            $"window decision latency p50/p99 {summary["compute_latency_ms"]!["every_window"]!["p50"]?.ToString() ?? "-"}/{summary["compute_latency_ms"]!["every_window"]!["p99"]?.ToString() ?? "-"} ms; " +
            $"gaps {metrics.GapSeconds:F1} s, non-finite {metrics.NonFiniteSamples}, late {metrics.LateFrames + metrics.LateFiles}"));
        if (failure is not null) throw new IOException($"stream failed: {failure.Message}", failure);
        return 0;
    }

    /// <param name="channel">--channel: for frame files (.gwf), the channel read from them as well as the one triggers carry.</param>
    private static (IStrainSource Source, string Channel) Source(string spec, double speed, double? duration, long? seed, SignalComponents components, string deviceText, int threads, StreamMetrics metrics, string? channel)
    {
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? spec : spec[..colon], arg = colon < 0 ? "" : spec[(colon + 1)..];
        switch (kind)
        {
            case "twin" when arg.Length > 0:
            {
                var scenario = ScenarioLoader.Load(CliOptions.ResolveConfig(new FileInfo(arg)).FullName);
                if (seed is long s) scenario = scenario with { Seed = s };
                var device = deviceText switch
                {
                    "auto" => DeviceChoice.Auto, "cpu" => DeviceChoice.Cpu, "cuda" => DeviceChoice.Cuda,
                    _ => throw new NoiseInputException($"--device must be auto, cpu or cuda, got '{deviceText}'"),
                };
                return (new TwinSource(scenario, duration, new Pacer(speed), device, threads, components), scenario.Channel);
            }
            case "file" when arg.Length > 0:
            {
                var file = new FileSource(arg, new Pacer(speed), channel);
                return (file, file.Channel);
            }
            case "dir" when arg.Length > 0:
                return (new DirSource(arg, metrics, channel: channel), "V1:Hrec_hoft_16384Hz");
            case "tcp" when arg.Length > 0:
            {
                int c = arg.LastIndexOf(':');
                if (c <= 0 || !int.TryParse(arg[(c + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
                    throw new NoiseInputException($"--source tcp:{arg}: expected tcp:HOST:PORT");
                return (new FrameStreamSource(arg[..c], port, metrics), "V1:Hrec_hoft_16384Hz");
            }
            case "stdin":
                return (new FrameStreamSource(null, 0, metrics), "V1:Hrec_hoft_16384Hz");
            default:
                throw new NoiseInputException($"--source '{spec}': expected twin:SCENARIO, file:PATH, dir:PATH, tcp:HOST:PORT or stdin");
        }
    }

    private static async Task StatsLoop(string path, StreamMetrics metrics, double speed, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
                WriteStats(path, metrics, speed);
            }
        }
        catch (OperationCanceledException) { }
    }

    private static void WriteStats(string path, StreamMetrics metrics, double speed) =>
        AtomicFile.WriteAllText(path, metrics.Stats(speed).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Stops any source after a number of seconds of data.</summary>
    private sealed class Limited(IStrainSource inner, double seconds) : IStrainSource
    {
        public string Description => inner.Description + $" (first {seconds} s)";
        public long? TicksAtGps(double gps) => inner.TicksAtGps(gps);

        public async IAsyncEnumerable<StrainFrame> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            double seen = 0;
            await foreach (var f in inner.ReadAsync(ct).ConfigureAwait(false))
            {
                yield return f;
                seen += (double)f.Data.Length / f.SampleRate;
                if (seen >= seconds) yield break;
            }
        }
    }
}
