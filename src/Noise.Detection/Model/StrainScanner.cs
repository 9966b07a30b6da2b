using Noise.Core;
namespace Noise.Detection.Model;

/// <summary>
/// Scans strain of any length in constant memory, the same way for evaluation, files and (in pieces) streams:
/// chunks of <see cref="ChunkSeconds"/> overlapping by their unusable edges are conditioned (PSD from the chunk
/// itself), scored by the model on sliding windows, and searched by the baseline over the same conditioned data;
/// each chunk keeps only what starts in its middle, so every window and tile is reported once.
/// </summary>
public sealed class StrainScanner(Detector detector, QTriggerSettings baseline)
{
    public const double ChunkSeconds = 256;
    /// <summary>Seconds at each end of a chunk that are not scanned (taper, edge and a window): neighbours cover them.</summary>
    public const double Margin = 24;

    /// <param name="fill">Writes samples [start, start + buffer length) (absolute indices at fs) into the buffer; NaN or 0 where there are none.</param>
    private readonly Core.FrequencySeries _white = new(0, 0.25, Enumerable.Repeat(2.0 / detector.Spec.SampleRate, 4 * detector.Spec.SampleRate / 2 + 1).ToArray());

    /// <summary>Where the time went (seconds, summed over scans) and how many windows the model scored.</summary>
    public double ConditioningSeconds { get; private set; }
    public double ModelSeconds { get; private set; }
    public double BaselineSeconds { get; private set; }
    public long Windows { get; private set; }

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
        var x = new double[chunk];
        for (long a = first - margin; a + margin < first + total; a += keep)
        {
            fill(a, x);
            double t0 = (double)a / fs, lo = t0 + (double)margin / fs, hi = Math.Min(lo + keep / (double)fs, runEnd);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            double[] conditioned;
            List<(double Lo, double Hi)> notches;
            try { conditioned = Conditioner.Condition(x, fs, spec, out notches); }
            catch (NoiseInputException)
            {
                // no gap-free PSD segment in the whole chunk (a long lock loss): nothing here to scan
                progress?.Invoke(Math.Min(1, (hi - runStart) / (runEnd - runStart)));
                continue;
            }
            ConditioningSeconds += clock.Elapsed.TotalSeconds;
            clock.Restart();
            var slid = detector.Slide(conditioned, t0);
            ModelSeconds += clock.Elapsed.TotalSeconds;
            Windows += slid.Count;
            clock.Restart();
            foreach (var w in slid)
                if (w.Start >= lo && w.Start < hi && w.Start >= runStart && w.Start + spec.WindowSeconds <= runEnd) scores.Add(w);
            foreach (var q in BaselineTiles(conditioned, t0, notches))
                if (q.Time >= lo && q.Time < hi && q.Time >= runStart) tiles.Add(q);
            BaselineSeconds += clock.Elapsed.TotalSeconds;
            progress?.Invoke(Math.Min(1, (hi - runStart) / (runEnd - runStart)));
        }
        return (scores, tiles);
    }
}
