using System.Diagnostics;
using System.Threading.Channels;
using Noise.Core;
using Noise.Detection;
using Noise.Detection.Model;
using Noise.Streaming.Sinks;
using Noise.Streaming.Sources;

namespace Noise.Streaming;

/// <summary>What the online pipeline does besides the model's own settings.</summary>
public sealed record StreamSettings
{
    /// <summary>Glitch-probability threshold (model.json's 1/h threshold by default).</summary>
    public double Threshold { get; init; } = 0.5;
    public double BaselineSnr { get; init; } = 6;
    /// <summary>
    /// The false-alarm rate (per hour) the model's threshold was set for, reported on its triggers: 1 for model.json's
    /// recorded thresholds, null for a threshold given by hand (its rate is not known).
    /// </summary>
    public double? ModelFarPerHour { get; init; }
    /// <summary>The same for the baseline's SNR threshold.</summary>
    public double? BaselineFarPerHour { get; init; }
    /// <summary>Model window stride; default the model's own.</summary>
    public double? StrideSeconds { get; init; }
    public bool Baseline { get; init; } = true;
    /// <summary>Whitening FIR length: latency is half of it.</summary>
    public double FilterSeconds { get; init; } = 1;
    /// <summary>A run of windows above threshold is reported at most this long after its first window.</summary>
    public double HoldSeconds { get; init; } = 0.5;
    /// <summary>
    /// Running PSD: median Welch over the last PsdSeconds of usable data, re-estimated every PsdUpdateSeconds.
    /// Measured on 1 h of glitch-free O3 twin data at the model's 1/h threshold: a 32 s history gave the model
    /// 8-13 false triggers, 128 s gave 1-2 (block conditioning of the same data: 1).
    /// </summary>
    public double PsdSeconds { get; init; } = 128;
    public double PsdUpdateSeconds { get; init; } = 16;
    /// <summary>
    /// The baseline searches segments of BaselineStep seconds with BaselinePad seconds of context on each side:
    /// its block whitening leaves the conditioning's EdgeSeconds (6 s) at each end unusable, and a tile needs
    /// its row filter's reach (up to 2 s at 20 Hz) on usable data, so the pad must exceed 8 s - reach allowing.
    /// </summary>
    public double BaselineStep { get; init; } = 16;
    /// <summary>
    /// Live streams (the default): when the baseline falls behind, its oldest queued segment is dropped (counted)
    /// so the model never waits. Replays at max speed set this false: the model waits and no data go unsearched.
    /// </summary>
    public bool BaselineMayDrop { get; init; } = true;
    public double BaselinePad { get; init; } = 8;
    /// <summary>
    /// Offline replays (evaluation): whiten whole blocks and score windows in full batches whatever the wall clock
    /// says, so what is scored does not depend on timing (the network's rounding depends on how batches fall).
    /// </summary>
    public bool WholeBlocks { get; init; }
    public string Ifo { get; init; } = "V1";
    public string Channel { get; init; } = "V1:Hrec_hoft_16384Hz";
}

/// <summary>
/// The online pipeline: frames go into a ring buffer (NaN where data are missing, not finite or not
/// analysis-ready), a running median PSD is re-estimated as data flow, the FIR whitener conditions the newest
/// data at the model's rate, the model scores each new window on a stride grid and a streaming clusterer turns
/// runs of windows above threshold into one trigger each; the Q-transform baseline searches the same
/// conditioned data on its own thread. Each trigger carries its compute latency (from the arrival of the last
/// sample its decision needed) and, where the source has a clock, its end-to-end latency.
/// </summary>
public sealed class StreamPipeline(Detector detector, StreamSettings settings, IReadOnlyList<ITriggerSink> sinks, StreamMetrics metrics)
{
    /// <summary>Centre frequencies of the live spectrogram's bands (log-spaced over the model's band).</summary>
    public static readonly double[] SpectrogramBands = Enumerable.Range(0, 48).Select(i => 20 * Math.Pow(900.0 / 20, (i + 0.5) / 48)).ToArray();

    private readonly DetectorSpec _spec = detector.Spec;
    private readonly QTriggerSettings _baselineSettings = Evaluator.BaselineSettings(detector.Spec);
    private SampleRing? _raw;
    private SampleRing? _cond;
    // runs are tested from the stream's threshold: below it a run cannot make a trigger (evaluate's stream replays run at 0.5)
    private readonly CbcVeto? _cbc = detector.CbcCheck is { } cbc ? new CbcVeto(detector.Spec, cbc with { ProbabilityFloor = settings.Threshold }) : null;
    private readonly List<(long From, Func<double, double> Gain)> _gains = [];
    private StreamWhitener? _whitener;
    private int _fs;
    private int _stride;          // model windows apart, at the model's rate
    private int _psdSegment;      // samples per PSD segment, at the input rate
    private long _rawEnd = long.MinValue, _condEnd = long.MinValue;
    private long _nextWindow = long.MinValue, _nextBaseline = long.MinValue, _nextColumn = long.MinValue;
    /// <summary>The first whitened sample (model rate): windows, columns and baseline segments start from it, so where
    /// they start depends on the data alone, not on how far whitening had got when scoring began (pacing).</summary>
    private long _condStart;
    private double _lastPsdGps = double.NegativeInfinity;
    private long _nextPsdSegment = long.MinValue;
    private WelchPeriodogram? _periodogram;
    private readonly Queue<(long Start, double[] Power)> _periodograms = new();
    private readonly ArrivalLog _arrivals = new(4096);
    private double[] _values = [];
    private double[] _segment = [];
    private readonly Stack<double[]> _spare = new();
    private IStrainSource? _source;
    private readonly double _strideSeconds = settings.StrideSeconds ?? detector.Spec.StrideSeconds;
    private readonly StreamClusterer _clusterer = new(detector, settings.HoldSeconds, settings.StrideSeconds ?? detector.Spec.StrideSeconds);

    /// <summary>Every window the model scores, in time order (evaluation's view of the stream; StreamScan).</summary>
    public Action<WindowScore>? WindowScored { get; init; }

    /// <summary>Each baseline segment's tiles at or above BaselineSnr before clustering (on the baseline's thread; StreamScan).</summary>
    public Action<List<QTrigger>>? BaselineSearched { get; init; }

    public async Task RunAsync(IStrainSource source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        metrics.SampleMemory();
        var baseline = Channel.CreateBounded<BaselineSegment>(new BoundedChannelOptions(4)
        {
            FullMode = settings.BaselineMayDrop ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true,
        }, _ => Interlocked.Increment(ref metrics.BaselineDropped));
        var baselineTask = settings.Baseline ? Task.Factory.StartNew(() => BaselineLoop(baseline.Reader), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default) : Task.CompletedTask;
        try
        {
            long waited = Stopwatch.GetTimestamp();
            await foreach (var frame in source.ReadAsync(ct).ConfigureAwait(false))
            {
                metrics.Time("waiting for the source", waited);
                Process(frame, baseline.Writer);
                waited = Stopwatch.GetTimestamp();
                if (ct.IsCancellationRequested) break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            // a clean end: windows still waiting for a batch are scored, the open run is reported, the baseline
            // finishes what it holds
            if (_whitener is { Ready: true })
            {
                _condEnd = _whitener.Advance(_raw!, _rawEnd, _cond!);
                ScoreWindows(1);
            }
            FinishScoring();
            foreach (var t in _clusterer.Flush(settings.Threshold)) EmitModel(t, _rawEnd);
            baseline.Writer.TryComplete();
            await baselineTask.ConfigureAwait(false);
        }
    }

    private void Process(StrainFrame frame, ChannelWriter<BaselineSegment> baseline)
    {
        if (_raw is null) Start(frame);
        if (frame.SampleRate != _fs)
        {
            Interlocked.Increment(ref metrics.OtherRateFrames);
            return;
        }
        long first = frame.FirstSample;
        int skip = 0;
        if (first < _rawEnd)
        {
            // late or repeated data: what the stream already passed is dropped
            skip = (int)Math.Min(frame.Data.Length, _rawEnd - first);
            Interlocked.Increment(ref metrics.LateFrames);
            if (skip == frame.Data.Length) return;
        }
        else if (first > _rawEnd && _rawEnd != long.MinValue)
        {
            metrics.GapSeconds += (double)(first - _rawEnd) / _fs;
            if (first - _rawEnd > 16L * _fs) SkipGap(first);
        }
        // buffers are reused: a stream that allocates large arrays per frame grows the large-object heap
        if (_values.Length < frame.Data.Length - skip) _values = new double[frame.Data.Length - skip];
        var values = _values.AsSpan(0, frame.Data.Length - skip);
        int nonFinite = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float v = frame.Data[skip + i];
            if (!float.IsFinite(v)) { nonFinite++; values[i] = double.NaN; }
            else values[i] = frame.Ready ? v : double.NaN;
        }
        if (nonFinite > 0) Interlocked.Add(ref metrics.NonFiniteSamples, nonFinite);
        if (!frame.Ready) metrics.NotReadySamples += values.Length;
        _raw!.Write(first + skip, values);
        _rawEnd = frame.EndSample;
        lock (_arrivals) _arrivals.Add(_rawEnd, frame.ArrivalTicks);
        Interlocked.Increment(ref metrics.Frames);
        metrics.Samples += values.Length;
        metrics.DataSeconds += (double)values.Length / _fs;
        metrics.LastGps = (double)_rawEnd / _fs;
        if (double.IsNaN(metrics.FirstGps)) metrics.FirstGps = (double)first / _fs;
        Interlocked.Exchange(ref metrics.LastDataTicks, Stopwatch.GetTimestamp());
        if (metrics.RssWarm == 0 && metrics.DataSeconds >= 600)
        {
            NativeHeap.Trim();
            metrics.RssWarm = Process().WorkingSet64;
            metrics.RssWarmAtData = Math.Round(metrics.DataSeconds);
        }
        if (metrics.Frames % 64 == 0) metrics.SampleMemory();
        if (Math.Floor(metrics.DataSeconds / 60) > Math.Floor((metrics.DataSeconds - (double)values.Length / _fs) / 60)) NativeHeap.Trim();
        if (Math.Floor(metrics.DataSeconds / 600) > Math.Floor((metrics.DataSeconds - (double)values.Length / _fs) / 600) && metrics.MemoryTimeline.Count < 1000)
        {
            NativeHeap.Trim();
            metrics.MemoryTimeline.Enqueue((Math.Round(metrics.DataSeconds), Math.Round(Process().WorkingSet64 / 1048576.0, 1), Math.Round(GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, 1)));
        }

        long t0 = Stopwatch.GetTimestamp();
        UpdatePsd();
        metrics.Time("psd", t0);
        if (_whitener is null || !_whitener.Ready) return;
        // behind the source (a replay at max speed, a catch-up): whiten whole blocks and score windows in big
        // batches; caught up (live, paced): everything now, for latency
        bool behind = settings.WholeBlocks || Stopwatch.GetElapsedTime(frame.ArrivalTicks).TotalSeconds > 0.05;
        t0 = Stopwatch.GetTimestamp();
        _condEnd = _whitener.Advance(_raw, _rawEnd, _cond!, wholeBlocks: behind);
        metrics.Time("whitening", t0);
        t0 = Stopwatch.GetTimestamp();
        Spectrogram();
        metrics.Time("spectrogram", t0);
        t0 = Stopwatch.GetTimestamp();
        ScoreWindows(behind ? Math.Max(2, detector.Workers) * Detector.DefaultBatch : 1, overlap: behind);
        metrics.Time("model", t0);
        if (settings.Baseline) QueueBaseline(baseline);
    }

    /// <summary>
    /// After a long gap (a sender back after hours) every cursor jumps to the new data: walking whitening blocks,
    /// windows, columns and PSD segments through a day of nothing would stall the stream for minutes. What they
    /// skip holds no data, so nothing is lost.
    /// </summary>
    private void SkipGap(long first)
    {
        if (_whitener is { NextOut: not long.MinValue } && _whitener.NextOut < first) _whitener.StartAt(first);
        int m = _spec.SampleRate, factor = _fs / m;
        long firstOut = first / factor;
        if (_nextWindow != long.MinValue && _nextWindow < firstOut - _spec.WindowSamples)
            _nextWindow = (long)Math.Ceiling((double)(firstOut - _spec.WindowSamples) / _stride) * _stride;
        if (_nextColumn != long.MinValue && _nextColumn < firstOut - m)
            _nextColumn = (long)Math.Ceiling((double)(firstOut - m) / (m / 2)) * (m / 2);
        long baseStep = (long)(settings.BaselineStep * m);
        if (_nextBaseline != long.MinValue && _nextBaseline < firstOut)
            _nextBaseline = (long)Math.Ceiling((double)firstOut / baseStep) * baseStep;
        if (_nextPsdSegment != long.MinValue && _nextPsdSegment < first)
        {
            long step = _psdSegment / 2;
            _nextPsdSegment = (long)Math.Ceiling((double)first / step) * step;
        }
    }

    private static System.Diagnostics.Process Process() => System.Diagnostics.Process.GetCurrentProcess();

    private void Start(StrainFrame frame)
    {
        _fs = frame.SampleRate;
        if (_fs < _spec.SampleRate)
            throw new NoiseInputException($"stream: data at {_fs} Hz are below the model's {_spec.SampleRate} Hz");
        _whitener = new StreamWhitener(_fs, _spec.SampleRate, settings.FilterSeconds, _spec.Conditioning);
        _stride = (int)Math.Round(_strideSeconds * _spec.SampleRate);
        _psdSegment = Conditioning.PsdSegmentLength(_fs, _spec.Conditioning);
        int ringSeconds = (int)Math.Max(64, settings.PsdSeconds + 16);
        _raw = new SampleRing(ringSeconds * _fs);
        _cond = new SampleRing(64 * _spec.SampleRate);
    }

    /// <summary>
    /// The running PSD: each PSD segment (the conditioning's length, half-overlapping on an absolute grid) is
    /// turned into a periodogram once, when it is complete and holds only usable data; every PsdUpdateSeconds the
    /// bias-corrected median of the last PsdSeconds' periodograms (Welch.Average, as Conditioning.EstimatePsd
    /// does over a block) redesigns the whitening filter.
    /// </summary>
    private void UpdatePsd()
    {
        int nper = _psdSegment, step = nper / 2;
        _periodogram ??= new WelchPeriodogram(nper, _fs);
        if (_nextPsdSegment == long.MinValue) _nextPsdSegment = (long)Math.Ceiling((double)(_rawEnd - _raw!.Capacity + nper) / step) * step;
        if (_segment.Length != nper) _segment = new double[nper];
        var seg = _segment;
        for (; _nextPsdSegment + nper <= _rawEnd; _nextPsdSegment += step)
        {
            long q0 = Stopwatch.GetTimestamp();
            _raw!.Read(_nextPsdSegment, seg);
            if (!Conditioning.AllUsable(seg)) continue;
            metrics.Time("psd: read", q0);
            q0 = Stopwatch.GetTimestamp();
            _periodograms.Enqueue((_nextPsdSegment, _periodogram.Of(seg, _spare.Count > 0 ? _spare.Pop() : new double[nper / 2 + 1])));
            metrics.Time("psd: periodogram", q0);
        }
        long history = (long)(settings.PsdSeconds * _fs);
        while (_periodograms.Count > 0 && _periodograms.Peek().Start < _rawEnd - history) _spare.Push(_periodograms.Dequeue().Power);
        double now = (double)_rawEnd / _fs;
        // a first estimate waits for 8 periodograms (18 s of data): a median of fewer is too noisy; it improves as
        // the history fills
        int minimum = Math.Min(8, Math.Max(2, (int)(settings.PsdSeconds / (step / (double)_fs)) - 1));
        if (now - _lastPsdGps < settings.PsdUpdateSeconds || _periodograms.Count < minimum) return;
        long a0 = Stopwatch.GetTimestamp();
        // the filter reads the PSD up to f_high and the notch search a half-width beyond: no need to average more
        int bins = Conditioning.PsdBinsRead(_fs, nper, _spec.Conditioning);
        var psd = Welch.Average(_periodograms.Select(p => p.Power).ToList(), _fs, nper, WelchAverage.Median, bins);
        metrics.Time("psd: median", a0);
        a0 = Stopwatch.GetTimestamp();
        _whitener!.Design(psd, _rawEnd);
        // model-rate sample from which this design whitens (its cross-fade starts about there)
        _gains.Add(((_rawEnd - _whitener.LookAhead) / (_fs / _spec.SampleRate), _whitener.Gain!));
        if (_gains.Count > 8) _gains.RemoveAt(0);
        metrics.Time("psd: design", a0);
        _lastPsdGps = now;
        metrics.PsdUpdatedGps = now;
        if (!metrics.PsdReady)
        {
            // whitening starts where the ring still holds data a filter's reach back
            _whitener.StartAt(Math.Max(_rawEnd - _raw!.Capacity / 2, _periodograms.Peek().Start) + _whitener.LookAhead);
            _condStart = _whitener.NextOut / (_fs / _spec.SampleRate);
            metrics.PsdReady = true;
        }
    }

    private const int ColumnSamples = 1024;
    private readonly RealFft<double> _columnFft = new(ColumnSamples);
    private readonly double[] _columnX = new double[ColumnSamples], _columnRe = new double[ColumnSamples / 2 + 1], _columnIm = new double[ColumnSamples / 2 + 1];
    private (int Lo, int Hi)[]? _bandBins;

    private void Spectrogram()
    {
        const int n = ColumnSamples;
        int m = _spec.SampleRate;
        if (_nextColumn == long.MinValue) _nextColumn = (long)Math.Ceiling((double)_condStart / (m / 2)) * (m / 2);
        // each band's FFT bins, once: log-spaced bands half a band-width either side of their centres
        _bandBins ??= SpectrogramBands.Select(f =>
        {
            double half = Math.Pow(900.0 / 20, 0.5 / 48), df = (double)m / n;
            return ((int)Math.Floor(f / half / df), Math.Min(n / 2, (int)Math.Ceiling(f * half / df)));
        }).ToArray();
        var x = _columnX;
        while (_nextColumn + n <= _condEnd)
        {
            _cond!.Read(_nextColumn, x);
            var col = new float[SpectrogramBands.Length];
            if (x.All(double.IsFinite))
            {
                for (int i = 0; i < n; i++) x[i] *= 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n);
                _columnFft.Forward(x, _columnRe, _columnIm);
                for (int b = 0; b < col.Length; b++)
                {
                    var (lo, hi) = _bandBins[b];
                    double sum = 0;
                    for (int k = lo; k <= hi; k++) sum += _columnRe[k] * _columnRe[k] + _columnIm[k] * _columnIm[k];
                    // a Hann-windowed unit white series has mean |X|^2 = 0.375 n per bin
                    col[b] = (float)Math.Log10(sum / Math.Max(1, hi - lo + 1) / (0.375 * n));
                }
            }
            else Array.Fill(col, float.NaN);
            metrics.Column(new SpectrogramColumn(Math.Round((_nextColumn + n / 2.0) / m, 3), col));
            _nextColumn += m / 2;
        }
    }

    /// <summary>The batch being scored while the stream reads and whitens the next frames (replays and catch-ups).</summary>
    private Task<(List<WindowScore> Scores, List<double> Gaps)>? _scoring;

    /// <param name="overlap">
    /// Behind the source: the batch is scored on the detector's threads while this thread goes on with the next
    /// frames (PSD, whitening, the next batch's windows); its results are delivered, in order, before the next
    /// batch is handed over. Caught up: scored and delivered now, for latency.
    /// </param>
    private void ScoreWindows(int minBatch, bool overlap = false)
    {
        if (!overlap) FinishScoring();
        int w = _spec.WindowSamples, m = _spec.SampleRate, stride = _stride;
        if (_nextWindow == long.MinValue) _nextWindow = (long)Math.Ceiling((double)_condStart / stride) * stride;
        long ready = _nextWindow + w <= _condEnd ? (_condEnd - w - _nextWindow) / stride + 1 : 0;
        if (ready == 0 || ready < minBatch) return;
        // batching: whole batches only, the rest waits for the next frame (a clean end scores it)
        if (minBatch > 1) ready -= ready % minBatch;
        long t0 = Stopwatch.GetTimestamp();
        var windows = new List<float[]>();
        var starts = new List<double>();
        var gaps = new List<double>();
        var buf = new double[w];
        for (long taken = 0; taken < ready; taken++, _nextWindow += stride)
        {
            _cond!.Read(_nextWindow, buf);
            double start = (double)_nextWindow / m;
            var window = new float[w];
            bool finite = true;
            for (int i = 0; i < w; i++)
            {
                finite &= double.IsFinite(buf[i]);
                window[i] = (float)buf[i];
            }
            if (!finite) { gaps.Add(start); continue; }
            windows.Add(window);
            starts.Add(start);
        }
        if (windows.Count == 0 && gaps.Count == 0) return;
        metrics.Time("model: windows", t0);
        // the compact-binary test's data, read now: the batch's windows are in the ring, and a batch scored behind
        // the source is tested on its own thread with it
        var cbc = PrepareCbc(starts);
        if (overlap)
        {
            FinishScoring();
            _scoring = Task.Run(() => (CheckCbc(windows.Count > 0 ? detector.Score(windows, starts) : new List<WindowScore>(), cbc), gaps));
            return;
        }
        t0 = Stopwatch.GetTimestamp();
        var scores = windows.Count > 0 ? detector.Score(windows, starts) : [];
        metrics.Time("model: network", t0);
        Deliver(CheckCbc(scores, cbc), gaps);
    }

    /// <summary>Waits for the batch in flight, if any, and delivers its scores.</summary>
    private void FinishScoring()
    {
        if (_scoring is not { } pending) return;
        _scoring = null;
        long t0 = Stopwatch.GetTimestamp();
        var (scores, gaps) = pending.GetAwaiter().GetResult();
        metrics.Time("model: network (waited for)", t0);
        Deliver(scores, gaps);
    }

    /// <summary>Scores and unscorable windows (gaps) in time order into the clusterer; a gap ends any run.</summary>
    private void Deliver(List<WindowScore> scores, List<double> gaps)
    {
        metrics.WindowsScored += scores.Count;
        if (WindowScored is { } scored) foreach (var sc in scores) scored(sc);
        var items = scores.Select(s => (s.Start, Score: (WindowScore?)s)).Concat(gaps.Select(g => (Start: g, Score: (WindowScore?)null))).OrderBy(x => x.Start);
        long scoredAt = Stopwatch.GetTimestamp();
        foreach (var (start, score) in items)
        {
            long needRaw = (long)Math.Round((start + _spec.WindowSeconds) * _fs) + _whitener!.LookAhead;
            if (score is not null)
            {
                long arrived = ArrivalOf(needRaw);
                metrics.WindowDecision.Add(Math.Max(0, (double)(scoredAt - arrived) / Stopwatch.Frequency));
            }
            foreach (var t in _clusterer.Feed(start, score, settings.Threshold)) EmitModel(t, needRaw);
        }
    }

    /// <summary>What the compact-binary test of a batch reads: whitened data at the model's rate from GPS Start.</summary>
    private sealed record CbcInput(double[] Data, double Start, Func<double, double> Gain);

    /// <summary>
    /// The whitened data the compact-binary test (<see cref="CbcVeto"/>) of a batch needs, up to its last window's end
    /// (the stream has nothing later yet; block scans use the same span), with the gain whitening used there: the
    /// latest design whose data ended before that window did. Null with the test off or nothing to test.
    /// </summary>
    private CbcInput? PrepareCbc(List<double> starts)
    {
        if (_cbc is null || starts.Count == 0 || _gains.Count == 0) return null;
        int m = _spec.SampleRate;
        long first = (long)Math.Round(starts.Min() * m) - (long)Math.Ceiling(_cbc.Settings.SegmentSeconds * m);
        long end = (long)Math.Round(starts.Max() * m) + _spec.WindowSamples;
        var gain = _gains.LastOrDefault(g => g.From <= end).Gain ?? _gains[0].Gain;
        var data = new double[end - first];
        _cond!.Read(first, data);
        return new CbcInput(data, (double)first / m, gain);
    }

    /// <summary>The test on a scored batch (on whichever thread scored it: one batch at a time).</summary>
    private List<WindowScore> CheckCbc(List<WindowScore> scores, CbcInput? input)
    {
        if (_cbc is null || input is null || scores.Count == 0) return scores;
        long t0 = Stopwatch.GetTimestamp();
        var checkedScores = _cbc.Apply(scores, input.Data, input.Start, input.Gain);
        metrics.Time("cbc check", t0);
        return checkedScores;
    }

    private void QueueBaseline(ChannelWriter<BaselineSegment> queue)
    {
        int m = _spec.SampleRate;
        long step = (long)(settings.BaselineStep * m), pad = (long)(settings.BaselinePad * m);
        if (_nextBaseline == long.MinValue) _nextBaseline = (long)Math.Ceiling((double)_condStart / step) * step;
        while (_nextBaseline + step + pad <= _condEnd)
        {
            var x = new double[step + 2 * pad];
            _cond!.Read(_nextBaseline - pad, x);
            long needRaw = (_nextBaseline + step + pad) * (_fs / m) + _whitener!.LookAhead;
            // the notches as they stand once the segment is whitened: any that switched on inside it are removed
            // from all of it, so no Q row is half empty
            var item = new BaselineSegment(_nextBaseline, x, needRaw, _whitener.NotchedBands);
            if (!queue.TryWrite(item)) queue.WriteAsync(item).AsTask().GetAwaiter().GetResult();
            _nextBaseline += step;
        }
    }

    private void BaselineLoop(ChannelReader<BaselineSegment> queue)
    {
        var scanner = new StrainScanner(detector, _baselineSettings);
        int m = _spec.SampleRate;
        while (queue.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (queue.TryRead(out var seg))
            {
                long pad = (long)(settings.BaselinePad * m), step = (long)(settings.BaselineStep * m);
                double t0 = (double)(seg.First - pad) / m, lo = (double)seg.First / m, hi = (double)(seg.First + step) / m;
                long c0 = Stopwatch.GetTimestamp();
                var tiles = scanner.BaselineTiles(seg.Data, t0, seg.Notches).Where(q => q.Time >= lo && q.Time < hi && q.Snr >= settings.BaselineSnr).ToList();
                Interlocked.Increment(ref metrics.BaselineSegments);
                metrics.Time("baseline (own thread)", c0);
                BaselineSearched?.Invoke(tiles);
                foreach (var q in QTriggers.Cluster(tiles, _baselineSettings.ClusterSeconds)) EmitBaseline(q, seg.NeedRaw);
            }
        }
    }

    /// <summary>When the frame holding raw sample needRaw - 1 arrived (now, if it has not: a flush at the end).</summary>
    private long ArrivalOf(long needRaw)
    {
        lock (_arrivals) return _arrivals.ArrivalOf(needRaw) ?? Stopwatch.GetTimestamp();
    }

    private void EmitModel(ModelTrigger t, long needRaw) =>
        Emit(TriggerRecords.Of(t, settings.Ifo, settings.Channel), settings.ModelFarPerHour, ArrivalOf(needRaw), metrics.ComputeModel, metrics.EndToEndModel);

    private void EmitBaseline(QTrigger q, long needRaw) =>
        Emit(TriggerRecords.Of(q, settings.Ifo, settings.Channel), settings.BaselineFarPerHour, ArrivalOf(needRaw), metrics.ComputeBaseline, metrics.EndToEndBaseline);

    /// <param name="arrival">When the last sample the decision needed arrived (Stopwatch ticks).</param>
    private void Emit(TriggerRecord record, double? farPerHour, long arrival, LatencyHistogram compute, LatencyHistogram endToEnd)
    {
        long now = Stopwatch.GetTimestamp();
        double computeS = Math.Max(0, (double)(now - arrival) / Stopwatch.Frequency);
        double? e2e = null;
        if (_source?.TicksAtGps(record.PeakTime.ToDouble()) is long at) e2e = (double)(now - at) / Stopwatch.Frequency;
        compute.Add(computeS);
        if (e2e is double e) endToEnd.Add(e);
        var trigger = new StreamTrigger(record, farPerHour, Math.Round(computeS * 1000, 3), e2e is double v ? Math.Round(v, 4) : null, Math.Round(GpsClock.Now(), 3));
        metrics.TriggersByPipeline.AddOrUpdate(record.Pipeline, 1, (_, n) => n + 1);
        metrics.Recent(trigger.ToJson());
        foreach (var s in sinks) s.Offer(trigger);
    }
}

/// <summary>A baseline search's input: whitened data from First - pad (model-rate samples), the raw sample its
/// decision needed, and the stream's notched bands when it was queued.</summary>
internal sealed record BaselineSegment(long First, double[] Data, long NeedRaw, IReadOnlyList<(double Lo, double Hi)> Notches);

/// <summary>When each frame arrived, by the raw sample index it ends at: a fixed ring, searched by bisection.</summary>
public sealed class ArrivalLog(int capacity)
{
    private readonly long[] _end = new long[capacity], _ticks = new long[capacity];
    private int _head, _count;

    public void Add(long end, long ticks)
    {
        int slot = (_head + _count) % _end.Length;
        if (_count == _end.Length) _head = (_head + 1) % _end.Length; else _count++;
        _end[slot] = end;
        _ticks[slot] = ticks;
    }

    /// <summary>The arrival of the first frame that ends at or after <paramref name="needEnd"/>, or null when none has yet.</summary>
    public long? ArrivalOf(long needEnd)
    {
        int lo = 0, hi = _count;   // ends increase along the ring
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_end[(_head + mid) % _end.Length] >= needEnd) hi = mid; else lo = mid + 1;
        }
        return lo < _count ? _ticks[(_head + lo) % _end.Length] : null;
    }
}

/// <summary>
/// One trigger per transient, online: windows get the model's trigger statistic (<see cref="WindowSmoother"/>:
/// each window is decided once the next one is scored), then a run of windows at or above threshold (no gap longer
/// than one and a half strides) is reported at its most probable window once the run ends or HoldSeconds after it
/// began, whichever is first; later windows of a reported run add nothing. The class is the model's
/// (Detector.GlitchClass).
/// </summary>
public sealed class StreamClusterer(Detector detector, double holdSeconds, double strideSeconds)
{
    private readonly WindowSmoother _smoother = new(detector.Spec.SmoothWindows, strideSeconds);
    private WindowScore? _best;
    private double _first, _last = double.NegativeInfinity;
    private bool _reported;
    private double _quietUntil = double.NegativeInfinity;

    /// <summary>The next window in time order (null: it could not be scored, a gap); the triggers now decided.</summary>
    public IEnumerable<ModelTrigger> Feed(double start, WindowScore? score, double threshold)
    {
        var output = new List<ModelTrigger>();
        foreach (var (s, w) in _smoother.Feed(start, score)) Decide(s, w, threshold, output);
        return output;
    }

    private void Decide(double start, WindowScore? score, double threshold, List<ModelTrigger> output)
    {
        var stride = strideSeconds;
        bool above = score is not null && score.GlitchProbability >= threshold;
        if (_best is not null && (!above || start - _last > 1.5 * stride))
        {
            if (!_reported) output.Add(Report());
            // windows that still overlap the reported transient's last window belong to it
            _quietUntil = _last + detector.Spec.WindowSeconds;
            _best = null;
        }
        if (above)
        {
            if (_best is null)
            {
                _best = score;
                _first = start;
                _reported = start < _quietUntil;   // the same transient coming back above threshold: not reported again
            }
            else if (!_reported && score!.GlitchProbability > _best.GlitchProbability) _best = score;
            _last = start;
            if (!_reported && start - _first >= holdSeconds) { output.Add(Report()); _reported = true; }
        }
    }

    /// <summary>End of data: the window waiting for its successor is decided, and the open run reported.</summary>
    public IEnumerable<ModelTrigger> Flush(double threshold)
    {
        var output = new List<ModelTrigger>();
        foreach (var (s, w) in _smoother.Flush()) Decide(s, w, threshold, output);
        if (_best is null || _reported) return output;
        output.Add(Report());
        _best = null;
        return output;
    }

    private ModelTrigger Report()
    {
        return detector.TriggerOf(_best!, _first, _last);
    }
}
