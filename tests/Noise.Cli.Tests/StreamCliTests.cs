using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Noise.Core;
using Noise.IO;
using Noise.Simulation;
using Noise.Streaming;

namespace Noise.Cli.Tests;

/// <summary>`noise stream` as a real process: sources, sinks, signals, the HTTP server and the live page.</summary>
public partial class StreamCliTests
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "noise.dll");

    /// <summary>A running `noise stream` with its stderr collected line by line.</summary>
    private sealed class StreamProcess : IDisposable
    {
        private readonly Process _p;
        private readonly List<string> _err = [];
        public StringWriterLike Out { get; } = new();

        public StreamProcess(IEnumerable<string> args, bool stdin = false)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = stdin };
            psi.ArgumentList.Add(Dll);
            psi.ArgumentList.Add("stream");
            foreach (var a in args) psi.ArgumentList.Add(a);
            _p = Process.Start(psi)!;
            _p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_err) _err.Add(e.Data);
                if (_terminateOn is { } on && on.IsMatch(e.Data)) { _terminateOn = null; Terminate(); }
            };
            _p.OutputDataReceived += (_, e) => { if (e.Data is not null) Out.Add(e.Data); };
            _p.BeginErrorReadLine();
            _p.BeginOutputReadLine();
        }

        public Stream StandardInput => _p.StandardInput.BaseStream;
        public string Err { get { lock (_err) return string.Join("\n", _err); } }
        public int Pid => _p.Id;

        public string WaitForErr(Regex pattern, double seconds = 60)
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                lock (_err)
                    foreach (var line in _err)
                        if (pattern.IsMatch(line)) return line;
                if (_p.HasExited) break;
                Thread.Sleep(50);
            }
            throw new TimeoutException($"no stderr line like {pattern} (exited: {_p.HasExited}); stderr:\n{Err}");
        }

        private volatile Regex? _terminateOn;

        /// <summary>Sends SIGTERM the moment a stderr line matches (from the reader's own callback, no polling delay).</summary>
        public void TerminateOn(Regex pattern) => _terminateOn = pattern;

        public void Terminate()
        {
            using var kill = Process.Start("kill", ["-TERM", _p.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public int WaitForExit(double seconds = 60)
        {
            if (!_p.WaitForExit(TimeSpan.FromSeconds(seconds))) { _p.Kill(true); throw new TimeoutException("noise stream did not exit; stderr:\n" + Err); }
            _p.WaitForExit();
            return _p.ExitCode;
        }

        public void Dispose()
        {
            if (!_p.HasExited) _p.Kill(true);
            _p.Dispose();
        }
    }

    internal sealed class StringWriterLike
    {
        private readonly List<string> _lines = [];
        public void Add(string s) { lock (_lines) _lines.Add(s); }
        public List<string> Lines { get { lock (_lines) return [.. _lines]; } }
    }

    // built once: JsonSchema.Net registers a schema under its $id
    private static readonly Lazy<JsonSchema> TriggerSchema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(CliHarness.RepoRoot(), "src", "Noise.Streaming", "trigger.schema.json"))));

    private static JsonSchema Schema() => TriggerSchema.Value;

    private static void AssertValid(JsonSchema schema, string line)
    {
        using var doc = JsonDocument.Parse(line);
        var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, "trigger does not match trigger.schema.json: " + line + "\n" +
            string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    private static JsonNode Stats(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    /// <summary>
    /// Waits (at most <paramref name="timeoutSeconds"/>) until the stream's /health counts <paramref name="dataSeconds"/>
    /// of data, stops it with SIGTERM, checks it exited cleanly and returns its --stats file.
    /// </summary>
    private static async Task<JsonNode> StopOnceRead(StreamProcess p, HttpClient http, string stats, double dataSeconds, double timeoutSeconds)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < timeoutSeconds && JsonNode.Parse(await http.GetStringAsync("/health"))!["data_seconds"]!.GetValue<double>() < dataSeconds) await Task.Delay(100);
        await Task.Delay(300);
        p.Terminate();
        Assert.True(p.WaitForExit() == 0, p.Err);
        return Stats(stats);
    }

    [SkippableFact]
    public void ReplaysAGwoscFileAtMaxSpeedWithSchemaValidTriggers()
    {
        var file = Path.Combine(CliHarness.RepoRoot(), "..", "shared", "data", "strain", "H-H1_LOSC_4_V2-1126259446-32.hdf5");
        Skip.IfNot(File.Exists(file), "../shared/data/strain is not beside this checkout");
        var dir = CliHarness.TempDir();
        string jsonl = Path.Combine(dir, "t.jsonl"), stats = Path.Combine(dir, "stats.json"), parquet = Path.Combine(dir, "pq"), ligolw = Path.Combine(dir, "xml");
        using var p = new StreamProcess(["--source", "file:" + file, "--speed", "max", "--sink", "jsonl:" + jsonl, "--sink", "parquet:" + parquet, "--sink", "ligolw:" + ligolw,
            "--stats", stats, "--filter-seconds", "1", "--threshold", "0.5"]);
        Assert.True(p.WaitForExit() == 0, p.Err);
        var s = Stats(stats);
        Assert.Equal(32, s["data_seconds"]!.GetValue<double>(), 6);
        Assert.Equal(0, s["gap_seconds"]!.GetValue<double>());
        // GWOSC's 4 kHz file: the whitened data hold GW150914 at 1126259462.4; every trigger is schema-valid and
        // the Parquet table holds the same triggers
        var lines = File.ReadAllLines(jsonl);
        var schema = Schema();
        foreach (var l in lines) AssertValid(schema, l);
        // at p >= 0.5 the model fires around the event; each trigger names the file's detector, not Virgo's
        Assert.NotEmpty(lines);
        foreach (var trigger in lines.Select(l => JsonNode.Parse(l)!))
        {
            Assert.Equal(("H1", "H1:GWOSC-STRAIN"), (trigger["ifo"]!.GetValue<string>(), trigger["channel"]!.GetValue<string>()));
            // --threshold 0.5 was given by hand: the model's triggers carry no FAR; the baseline's threshold is the
            // model's recorded 1/h one
            if (trigger["pipeline"]!.GetValue<string>() == "glitchnet") Assert.Null(trigger["far_per_hour"]);
            else Assert.Equal(1, trigger["far_per_hour"]!.GetValue<double>());
        }
        Assert.Contains(lines, l => l.Contains("\"glitchnet\"", StringComparison.Ordinal));
        int inParquet = Directory.GetFiles(parquet, "*.parquet").Sum(f => CountRows(f));
        Assert.Equal(lines.Length, inParquet);
        // and the rolling LIGO_LW sngl_burst tables, with the same peak times
        var xml = Directory.GetFiles(ligolw, "*-3600.xml.gz").SelectMany(Noise.IO.LigoLw.ReadSnglBurst).ToList();
        Assert.Equal(lines.Length, xml.Count);
        Assert.Equal(lines.Select(l => JsonNode.Parse(l)!["time"]!.GetValue<double>()).Order().Select(t => Math.Round(t, 3)),
            xml.Select(r => Math.Round(r.PeakTime.ToDouble(), 3)).Order());
        Assert.Contains("done:", p.Err, StringComparison.Ordinal);
    }

    private static int CountRows(string parquetFile)
    {
        var (code, output) = CliHarness.Process("node", Path.Combine(CliHarness.RepoRoot(), "tests", "tools", "duckdb-query.mjs"), $"select count(*) as n from '{parquetFile}'");
        Assert.True(code == 0, output);
        var n = JsonNode.Parse(output.Trim().Split('\n')[0])!["n"]!;
        return n.GetValueKind() == JsonValueKind.String ? int.Parse(n.GetValue<string>(), CultureInfo.InvariantCulture) : n.GetValue<int>();
    }

    /// <summary>1 s of twin O3 strain (noise, lines, glitches) per GPS second, from a fixed seed.</summary>
    private static List<(long Gps, float[] Data)> TwinSeconds(int seconds, long seed = 31)
    {
        var s = ScenarioLoader.Load(CliHarness.Config("virgo-o3.yaml")) with { Seed = seed, Lock = null };
        using var dev = ComputeDevice.Create(DeviceChoice.Cpu, 2);
        using var engine = new NoiseEngine(dev, s, 16);
        int fs = s.SampleRate;
        long first = s.GpsStart.ToSampleIndex(fs);
        var all = new float[seconds * fs];
        engine.Generate(first, all.Length, (span, at) => span.CopyTo(all.AsSpan((int)(at - first))));
        return Enumerable.Range(0, seconds).Select(i => (s.GpsStart.Seconds + i, all.AsSpan(i * fs, fs).ToArray())).ToList();
    }

    private static void WriteFrameFile(string dir, long gps, float[] data, string name)
    {
        var meta = new StrainMetadata { Channel = "V1:Hrec_hoft_16384Hz", SampleRate = data.Length, GpsStart = new GpsTime(gps, 0), Samples = data.Length };
        string tmp = Path.Combine(dir, ".writing-" + name);
        using (var w = new GwoscHdf5Writer(tmp, meta))
        {
            w.Append(data);
            w.Complete();
        }
        File.Move(tmp, Path.Combine(dir, name));
    }

    [Fact]
    public async Task DirSourcePicksUpFilesWrittenWhileItRunsAndStopsCleanlyOnSigterm()
    {
        var dir = CliHarness.TempDir();
        var watched = Directory.CreateDirectory(Path.Combine(dir, "llhoft")).FullName;
        string stats = Path.Combine(dir, "stats.json"), jsonl = Path.Combine(dir, "t.jsonl");
        var seconds = TwinSeconds(40);
        using var p = new StreamProcess(["--source", "dir:" + watched, "--sink", "jsonl:" + jsonl, "--stats", stats, "--sink", "http:127.0.0.1:0"]);
        var baseUri = new Uri(Serving().Match(p.WaitForErr(Serving())).Groups[1].Value);
        using var http = new HttpClient { BaseAddress = baseUri };
        p.WaitForErr(StreamStarted());
        string Name(long gps) => $"V-V1_llhoft-{gps}-1.hdf5";
        // a file that is still being written shows up under its final name half-done: it is retried until whole
        File.WriteAllBytes(Path.Combine(watched, Name(seconds[0].Gps)), [0x89, 0x48, 0x44, 0x46]);
        Thread.Sleep(150);
        File.Delete(Path.Combine(watched, Name(seconds[0].Gps)));
        for (int i = 0; i < seconds.Count; i++)
        {
            // 20 and 21 arrive out of order
            int k = i == 20 ? 21 : i == 21 ? 20 : i;
            WriteFrameFile(watched, seconds[k].Gps, seconds[k].Data, Name(seconds[k].Gps));
            Thread.Sleep(30);
        }
        // and second 5 again, long after the stream moved past it: late, skipped
        await Task.Delay(500);
        WriteFrameFile(watched, seconds[5].Gps, seconds[5].Data, "V-V1_llhoft-" + seconds[5].Gps + "-1.h5");
        var s = await StopOnceRead(p, http, stats, 40, 30);
        Assert.Equal(40, s["data_seconds"]!.GetValue<double>(), 6);
        Assert.Equal(40, s["frames"]!.GetValue<long>());
        Assert.Equal(0, s["gap_seconds"]!.GetValue<double>());
        Assert.Equal(1, s["late_files"]!.GetValue<long>());
        Assert.Contains("stopped:", p.Err, StringComparison.Ordinal);
    }

    /// <summary>
    /// The llhoft case: 1 s GWF frames (strain and state vector, written whole and renamed into place as a
    /// detector's low-latency writer does) in a folder, read by dir: with --channel choosing the strain.
    /// </summary>
    [Fact]
    public async Task DirSourceReadsLowLatencyFrameFilesByChannel()
    {
        var dir = CliHarness.TempDir();
        var watched = Directory.CreateDirectory(Path.Combine(dir, "llhoft")).FullName;
        string stats = Path.Combine(dir, "stats.json"), jsonl = Path.Combine(dir, "t.jsonl");
        var seconds = TwinSeconds(30);
        using var p = new StreamProcess(["--source", "dir:" + watched, "--channel", "V1:Hrec_hoft_16384Hz", "--sink", "jsonl:" + jsonl, "--stats", stats, "--sink", "http:127.0.0.1:0"]);
        var baseUri = new Uri(Serving().Match(p.WaitForErr(Serving())).Groups[1].Value);
        using var http = new HttpClient { BaseAddress = baseUri };
        p.WaitForErr(StreamStarted());
        foreach (var (gps, data) in seconds)
        {
            string tmp = Path.Combine(dir, $"writing-{gps}.gwf");
            Noise.IO.Frames.GwfWriter.Write(tmp, new GpsTime(gps, 0), 1,
                [new("V1:Hrec_hoft_16384Hz", data.Length, data), new("V1:DQ_ANALYSIS_STATE_VECTOR", 1, [3f], "")], "test");
            File.Move(tmp, Path.Combine(watched, $"V-V1_llhoft-{gps}-1.gwf"));
            Thread.Sleep(20);
        }
        var s = await StopOnceRead(p, http, stats, 30, 30);
        Assert.Equal(30, s["data_seconds"]!.GetValue<double>(), 6);
        Assert.Equal(30, s["frames"]!.GetValue<long>());
        Assert.Equal(0, s["gap_seconds"]!.GetValue<double>());
        Assert.Equal(0, s["non_finite_samples"]?.GetValue<long>() ?? 0);
    }

    /// <summary>
    /// The twin standing in for the detector: simulate writes 1 s frames in real time into a folder that keeps the
    /// last 5 s, and the stream reads the folder as it fills, every second of it, without a gap.
    /// </summary>
    [Fact]
    public async Task TheTwinsRealTimeFrameFolderFeedsTheStream()
    {
        var dir = CliHarness.TempDir();
        string run = Path.Combine(dir, "twin"), stats = Path.Combine(dir, "stats.json");
        var live = Directory.CreateDirectory(Path.Combine(run, "frames")).FullName;
        using var p = new StreamProcess(["--source", "dir:" + live, "--channel", "V1:Hrec_hoft_16384Hz", "--sink", "jsonl:" + Path.Combine(dir, "t.jsonl"), "--stats", stats, "--sink", "http:127.0.0.1:0"]);
        var baseUri = new Uri(Serving().Match(p.WaitForErr(Serving())).Groups[1].Value);
        using var http = new HttpClient { BaseAddress = baseUri };
        p.WaitForErr(StreamStarted());
        var sw = Stopwatch.StartNew();
        var sim = Task.Run(() => CliHarness.Run("simulate", "--config", "virgo-o3", "--duration", "12", "--out", run, "--format", "gwf",
            "--components", "noise", "--frame-seconds", "1", "--realtime", "--frame-keep", "5"));
        // half-way through, the folder holds some frames but not all: they appear as their seconds pass
        await Task.Delay(6000);
        int midway = Directory.GetFiles(live, "V-V1_NOISE_VIRGO_O3-*-1.gwf").Length;
        Assert.InRange(midway, 2, 7);
        var (code, _, err) = await sim;
        Assert.True(code == 0, err);
        Assert.True(sw.Elapsed.TotalSeconds >= 11.5, $"12 s of frames in real time took {sw.Elapsed.TotalSeconds:F1} s");
        // the last five seconds are kept
        Assert.Equal(5, Directory.GetFiles(live, "V-V1_NOISE_VIRGO_O3-*-1.gwf").Length);
        var s = await StopOnceRead(p, http, stats, 12, 60);
        Assert.Equal(12, s["data_seconds"]!.GetValue<double>(), 6);
        Assert.Equal(0, s["gap_seconds"]!.GetValue<double>());
        Assert.Equal(0, s["late_files"]!.GetValue<long>());
    }

    [Fact]
    public void ASigtermThatMeetsAFinishingStreamStillExitsZero()
    {
        // a service stopped just as its stream ran out: before the signal handlers lived to the end of the process,
        // about one such SIGTERM in three got the default action (exit code 143)
        for (int i = 0; i < 6; i++)
        {
            using var p = new StreamProcess(["--source", "twin:virgo-o3.yaml", "--speed", "200", "--duration", "20", "--sink", "jsonl:/dev/null"]);
            p.TerminateOn(StreamDone());
            Assert.True(p.WaitForExit() == 0, p.Err);
            Assert.Contains("stream: done:", p.Err, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^stream: done: ")]
    private static partial Regex StreamDone();

    [GeneratedRegex(@"^stream: .* -> ")]
    private static partial Regex StreamStarted();

    [GeneratedRegex(@"serving (http://127\.0\.0\.1:\d+)/")]
    private static partial Regex Serving();

    [Fact]
    public async Task HttpSinkServesSseHealthMetricsAndALivePageThatRendersInHeadlessChromium()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
        Assert.True(chromium is not null, "headless Chromium is needed for the live page test (apt-get install chromium; .ci/run installs it)");
        var dir = CliHarness.TempDir();
        using var p = new StreamProcess(["--source", "twin:virgo-o3.yaml", "--speed", "40", "--duration", "3600", "--sink", "http:127.0.0.1:0", "--sink", "jsonl:" + Path.Combine(dir, "t.jsonl")]);
        var baseUri = new Uri(Serving().Match(p.WaitForErr(Serving())).Groups[1].Value);
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(90) };
        // an SSE client receives triggers as they are emitted
        using var response = await http.GetAsync("/triggers", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? data = null;
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            string? line;
            while ((line = await reader.ReadLineAsync(cts.Token)) is not null)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) { data = line[6..]; break; }
        }
        Assert.NotNull(data);
        AssertValid(Schema(), data);
        var health = await http.GetAsync("/health");
        Assert.True(health.IsSuccessStatusCode);
        Assert.Equal("ok", JsonNode.Parse(await health.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Matches(@"noise_stream_frames_total \d+", metrics);
        Assert.Matches("noise_stream_compute_latency_seconds_bucket\\{pipeline=\"glitchnet\",le=\"0.1\"\\} \\d+", metrics);
        Assert.Contains("noise_stream_sse_clients 1", metrics, StringComparison.Ordinal);
        // the live page: scripts fetch the spectrogram and the recent triggers and draw them
        var (code, dom) = CliHarness.Process(chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--virtual-time-budget=4000", "--dump-dom", baseUri.ToString());
        Assert.True(code == 0, dom);
        var columns = Regex.Match(dom, "data-spectrogram-columns=\"(\\d+)\"");
        Assert.True(columns.Success && int.Parse(columns.Groups[1].Value, CultureInfo.InvariantCulture) > 0, "spectrogram not drawn:\n" + dom[..Math.Min(dom.Length, 2000)]);
        Assert.Contains("<tr class=\"trigger ", dom, StringComparison.Ordinal);
        p.Terminate();
        Assert.True(p.WaitForExit() == 0, p.Err);
    }

    [Fact]
    public void StdinStreamSurvivesGapsNaNsLateAndUnreadyDataAndTriggersOnNoneOfThem()
    {
        var dir = CliHarness.TempDir();
        string stats = Path.Combine(dir, "stats.json"), jsonl = Path.Combine(dir, "t.jsonl");
        var seconds = TwinSeconds(120, seed: 32);
        using var p = new StreamProcess(["--source", "stdin", "--sink", "jsonl:" + jsonl, "--stats", stats, "--threshold", "0.5", "--channel", "H1:GDS-CALIB_STRAIN"], stdin: true);
        var input = p.StandardInput;
        for (int i = 0; i < seconds.Count; i++)
        {
            if (i >= 70 && i < 75) continue;                         // a 5 s gap
            var data = seconds[i].Data;
            if (i == 50) for (int k = 1000; k < 1100; k++) data[k] = float.NaN;   // 100 bad samples
            bool ready = !(i >= 90 && i < 95);                      // 5 s not analysis-ready
            input.Write(FrameCodec.Encode(seconds[i].Gps, data.Length, data, ready));
            if (i == 31) input.Write(FrameCodec.Encode(seconds[30].Gps, data.Length, seconds[30].Data, true));   // late repeat
        }
        input.Close();
        Assert.True(p.WaitForExit() == 0, p.Err);
        var s = Stats(stats);
        Assert.Equal(5, s["gap_seconds"]!.GetValue<double>(), 6);
        Assert.Equal(100, s["non_finite_samples"]!.GetValue<long>());
        Assert.Equal(5L * 16384, s["not_ready_samples"]!.GetValue<long>());
        Assert.Equal(1, s["late_frames"]!.GetValue<long>());
        Assert.Equal(115, s["data_seconds"]!.GetValue<double>(), 6);
        long t0 = seconds[0].Gps;
        foreach (var line in File.Exists(jsonl) ? File.ReadAllLines(jsonl) : [])
        {
            // raw frames name no channel: the triggers carry --channel's
            Assert.Equal("H1:GDS-CALIB_STRAIN", JsonNode.Parse(line)!["channel"]!.GetValue<string>());
            Assert.Equal("H1", JsonNode.Parse(line)!["ifo"]!.GetValue<string>());
            var t = JsonNode.Parse(line)!["time"]!.GetValue<double>() - t0;
            // a trigger's window never reaches into a gap, bad samples or unready data (window 2 s, whitening 0.5 s)
            foreach (var (a, b) in new[] { (50.0, 51.0), (70.0, 75.0), (90.0, 95.0) })
                Assert.False(t > a - 0.5 && t < b + 0.5, $"trigger at +{t:F2} s inside [{a}, {b}]: {line}");
        }
    }

    [Theory]
    [InlineData("--source", "nope:x", "--source 'nope:x'")]
    [InlineData("--sink", "ftp:x", "--sink 'ftp:x'")]
    [InlineData("--speed", "warp", "--speed must be")]
    [InlineData("--duration", "nan", "--duration must be a positive number")]
    [InlineData("--source", "file:/no/such/file.hdf5", "no such file")]
    [InlineData("--channel", "Hrec", "--channel must be IFO:NAME")]
    public void BadInputIsOneClearLineAndExitCode2(string flag, string value, string expected)
    {
        var args = new List<string> { "stream", "--source", "twin:virgo-o3.yaml", "--duration", "1" };
        int at = args.IndexOf(flag);
        if (at >= 0) args[at + 1] = value; else { args.Add(flag); args.Add(value); }
        var (code, output) = CliHarness.Process("dotnet", [Dll, .. args]);
        Assert.True(code == 2, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("noise:", StringComparison.Ordinal)).ToList();
        Assert.Single(lines);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }
}
