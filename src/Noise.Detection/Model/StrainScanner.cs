using Noise.Core;
namespace Noise.Detection.Model;

/// <summary>
/// Scans strain of any length in constant memory, the same way for evaluation, files and (in pieces) streams:
/// chunks of <see cref="ChunkSeconds"/> overlapping by their unusable edges are conditioned (PSD from the chunk
/// itself), scored by the model on sliding windows, and searched by the baseline over the same conditioned data;
/// each chunk keeps only what starts in its middle, so every window and tile is reported once.
/// </summary>
/// <param name="cbcFloor">The glitch probability from which the compact-binary test looks at a run: the threshold triggers are reported at, where there is one (default: the test's own 0.5).</param>
public sealed class StrainScanner(Detector detector, QTriggerSettings baseline, double? cbcFloor = null)
{
    public const double ChunkSeconds = 256;
    /// <summary>Seconds at each end of a chunk that are not scanned (taper, edge and a window): neighbours cover them.</summary>
    public const double Margin = 24;

    /// <param name="fill">Writes samples [start, start + buffer length) (absolute indices at fs) into the buffer; NaN or 0 where there are none.</param>
    private readonly Core.FrequencySeries _white = new(0, 0.25, Enumerable.Repeat(2.0 / detector.Spec.SampleRate, 4 * detector.Spec.SampleRate / 2 + 1).ToArray());

    /// <summary>
    /// Where the time went (seconds, summed over scans; the three overlap, see <see cref="Scan"/>) and how many
    /// windows the model scored.
    /// </summary>
    public double ConditioningSeconds { get; private set; }
    /// <summary>The compact-binary consistency test applied to every chunk's windows (null: the detector runs without it).</summary>
    private readonly CbcVeto? _veto = detector.CbcCheck is { } cbc ? new CbcVeto(detector.Spec, cbcFloor is double f ? cbc with { ProbabilityFloor = f } : cbc) : null;
    public double ModelSeconds { get; private set; }
    public double BaselineSeconds { get; private set; }
    public long Windows { get; private set; }
    /// <summary>Seconds the compact-binary test took (on the model's thread, after each chunk's scoring), and the runs it tested.</summary>
    public double CbcSeconds { get; private set; }
    public int CbcRuns => _veto?.Tested ?? 0;

    /// <summary>
    /// The baseline's tiles over conditioned data at the model's rate (NaN where unusable): it reads the same data
    /// as the model, unit white noise with one-sided PSD 2/fs, already notched. Shared with streaming.
    /// </summary>
    /// <param name="notches">The bands the conditioning notched (a block's, or a stream's so far), removed from the whole segment (see <see cref="QTriggers.Find"/>).</param>
    public List<QTrigger> BaselineTiles(double[] conditioned, double t0, IReadOnlyList<(double Lo, double Hi)>? notches = null)
    {
        ArgumentNullException.ThrowIfNull(conditioned);
        var z = conditioned.Select(v => double.IsFinite(v) ? v : 0).ToArray();
        return QTriggers.Find(z, detector.Spec.SampleRate, t0, _white, detector.Spec.Conditioning with { NotchFactor = 0 }, baseline, notches);
    }

    /// <summary>A whole series held in memory (a strain file) from its GPS start: what detect, run and the real-data gate scan.</summary>
    public (List<WindowScore> Scores, List<QTrigger> Tiles) ScanSeries(double sampleRate, double gpsStart, double[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int fs = (int)Math.Round(sampleRate);
        long first = (long)Math.Round(gpsStart * fs);
        return Scan(fs, first, data.Length, (a, x) =>
        {
            for (int i = 0; i < x.Length; i++)
            {
                long k = a - first + i;
                x[i] = k >= 0 && k < data.Length ? data[k] : double.NaN;
            }
        });
    }

    /// <summary>
    /// Scans samples [first, first + total) at fs, read through <paramref name="fill"/> chunk by chunk in order. On two
    /// cores the work is pipelined: while the model scores chunk k (its own threads), the baseline tiles chunk k and
    /// chunk k + 1 is conditioned, each on its own thread; every chunk's results are the ones a serial scan gives.
    /// </summary>
    public (List<WindowScore> Scores, List<QTrigger> Tiles) Scan(int fs, long first, long total, Action<long, double[]> fill, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var spec = detector.Spec;
        long chunk = (long)(ChunkSeconds * fs), margin = (long)(Margin * fs);
        // a short stretch (a 32 s GWOSC file) is one chunk; conditioning marks its own ends unusable
        if (total <= chunk) { chunk = total; margin = 0; }
        long keep = chunk - 2 * margin;
        double runStart = (double)first / fs, runEnd = (double)(first + total) / fs;
        var scores = new List<WindowScore>();
        var tiles = new List<QTrigger>();
        var starts = new List<long>();
        for (long a = first - margin; a + margin < first + total; a += keep) starts.Add(a);

        // conditioning of one chunk, on a worker thread: read here, in order, then conditioned there
        Task<Conditioned?> Start(int k)
        {
            var x = new double[chunk];
            fill(starts[k], x);
            return Task.Run(() =>
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    var c = Conditioner.Condition(x, fs, spec, out var notches, out var gain);
                    return new Conditioned(c, notches, gain, clock.Elapsed.TotalSeconds);
                }
                // no gap-free PSD segment in the whole chunk (a long lock loss): nothing here to scan
                catch (NoiseInputException) { return (Conditioned?)null; }
            });
        }

        var next = starts.Count > 0 ? Start(0) : null;
        for (int k = 0; k < starts.Count; k++)
        {
            var current = next!.GetAwaiter().GetResult();
            next = k + 1 < starts.Count ? Start(k + 1) : null;
            long a = starts[k];
            double t0 = (double)a / fs, lo = t0 + (double)margin / fs, hi = Math.Min(lo + keep / (double)fs, runEnd);
            if (current is not { } c)
            {
                progress?.Invoke(Math.Min(1, (hi - runStart) / (runEnd - runStart)));
                continue;
            }
            ConditioningSeconds += c.Seconds;
            var baselineTask = Task.Run(() =>
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var found = BaselineTiles(c.Data, t0, c.Notches).Where(q => q.Time >= lo && q.Time < hi && q.Time >= runStart).ToList();
                return (found, clock.Elapsed.TotalSeconds);
            });
            var modelClock = System.Diagnostics.Stopwatch.StartNew();
            var slid = detector.Slide(c.Data, t0, s => s >= lo && s < hi && s >= runStart && s + spec.WindowSeconds <= runEnd);
            if (_veto is not null)
            {
                var cbcClock = System.Diagnostics.Stopwatch.StartNew();
                slid = _veto.Apply(slid, c.Data, t0, c.Gain);
                CbcSeconds += cbcClock.Elapsed.TotalSeconds;
            }
            ModelSeconds += modelClock.Elapsed.TotalSeconds;
            Windows += slid.Count;
            scores.AddRange(slid);
            var (chunkTiles, baselineSeconds) = baselineTask.GetAwaiter().GetResult();
            tiles.AddRange(chunkTiles);
            BaselineSeconds += baselineSeconds;
            progress?.Invoke(Math.Min(1, (hi - runStart) / (runEnd - runStart)));
        }
        return (scores, tiles);
    }

    private sealed record Conditioned(double[] Data, List<(double Lo, double Hi)> Notches, Func<double, double> Gain, double Seconds);
}
