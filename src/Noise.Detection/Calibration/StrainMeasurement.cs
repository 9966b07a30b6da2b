using Noise.Core;

namespace Noise.Detection.Calibration;

/// <summary>A contiguous stretch of strain (one file, or one twin run of the same span).</summary>
public sealed record StrainPiece(string Name, double SampleRate, double GpsStart, double[] Data)
{
    public double Duration => Data.Length / SampleRate;
}

/// <summary>One spectral line: centroid frequency, peak strain amplitude, width, and how much it wanders between segments.</summary>
public sealed record MeasuredLine(double Frequency, double Amplitude, double Width, double PeakOverFloor, double FrequencyWander, double AmplitudeWander);

/// <summary>Non-stationarity of one band: the segments' band power (over the floor) varies by RmsVariation (robust std/median); Rayleigh is the median over the band's line-free bins of std/mean of the periodograms (1 for Gaussian noise).</summary>
public sealed record BandStatistic(double Lo, double Hi, double RmsVariation, double GaussianRmsVariation, double Rayleigh, int Bins);

/// <summary>What <see cref="StrainMeasurement"/> measures of strain; real and twin data are measured by the same code.</summary>
public sealed record Measurement(FrequencySeries Psd, FrequencySeries Floor, List<MeasuredLine> Lines, List<BandStatistic> Bands,
    List<QTrigger> Triggers, double TriggerLiveSeconds, int Segments, double SegmentSeconds);

/// <summary>Settings of the measurement.</summary>
public sealed record MeasurementSettings
{
    /// <summary>Welch segment (s): 8 s gives 0.125 Hz bins, fine enough to place lines within 0.1 Hz.</summary>
    public double SegmentSeconds { get; init; } = 8;
    public double FLow { get; init; } = 10;
    /// <summary>A line is a run of bins whose PSD exceeds this many times the local floor.</summary>
    public double LineFactor { get; init; } = 5;
    /// <summary>Half-width of the running median that is the floor: the larger of this (Hz) and <see cref="FloorRelativeHalfWidth"/> of the frequency.</summary>
    public double FloorHalfWidth { get; init; } = 1;
    public double FloorRelativeHalfWidth { get; init; } = 0.02;
    public double TriggerSnr { get; init; } = 6;
    /// <summary>Triggers this close to a catalogued GW event (s) are the event's, not the noise's.</summary>
    public double EventGuardSeconds { get; init; } = 1;
    public IReadOnlyList<GwEvent> Events { get; init; } = [];
    /// <summary>Band edges (Hz) of the non-stationarity statistics, cut to [FLow, 0.9 Nyquist].</summary>
    public IReadOnlyList<double> BandEdges { get; init; } = [10, 30, 100, 300, 1000, 3000, 8000];
}

/// <summary>
/// Measures strain as `noise calibrate` needs it: a median Welch PSD over every segment of every piece, the smooth
/// floor under it (a running median in frequency, recomputed without the line bins), the lines above the floor,
/// per-band non-stationarity (band-power variation between segments and the Rayleigh statistic), and Q-transform
/// triggers above an SNR. The calibrated twin is checked by measuring its output with this same code.
/// </summary>
public static class StrainMeasurement
{
    /// <summary>Lines at least this far above the floor have their wander measured (see <see cref="FindLines"/>).</summary>
    public const double WanderPeak = 30;

    public static Measurement Measure(IReadOnlyList<StrainPiece> pieces, MeasurementSettings settings)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        ArgumentNullException.ThrowIfNull(settings);
        if (pieces.Count == 0) throw new NoiseInputException("calibrate: no strain to measure");
        double fs = pieces[0].SampleRate;
        if (pieces.Any(p => Math.Abs(p.SampleRate - fs) > 1e-9))
            throw new NoiseInputException($"calibrate: every file must have one sample rate ({string.Join(", ", pieces.Select(p => $"{Path.GetFileName(p.Name)} {p.SampleRate} Hz").Distinct())})");
        int nper = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, (int)(settings.SegmentSeconds * fs)));
        var periodograms = new List<double[]>();
        var welch = new WelchPeriodogram(nper, fs);
        foreach (var p in pieces)
        {
            if (p.Data.Length < nper) throw new NoiseInputException($"{p.Name}: {p.Duration:g4} s is shorter than one {nper / fs:g4} s segment");
            var ok = Conditioning.UsableMask(p.Data);
            for (int s0 = 0; s0 + nper <= p.Data.Length; s0 += nper / 2)
                if (Array.IndexOf(ok, false, s0, nper) < 0) periodograms.Add(welch.Of(p.Data.AsSpan(s0, nper)));
        }
        if (periodograms.Count < 3) throw new NoiseInputException($"calibrate: {periodograms.Count} gap-free {nper / fs:g4} s segments; at least 3 are needed");
        var psd = Welch.Average(periodograms, fs, nper);
        double df = psd.DeltaF;
        int kLow = Math.Max(1, (int)Math.Ceiling(settings.FLow / df)), kHigh = Math.Min(psd.Length - 2, (int)Math.Floor(0.95 * fs / 2 / df));

        // the floor: a running median, then again with the bins of lines left out, so a dense forest does not lift it
        var isLine = new bool[psd.Length];
        var floor = RunningMedian(psd.Values, kLow, kHigh, df, settings, isLine);
        for (int k = kLow; k <= kHigh; k++) isLine[k] = psd.Values[k] > 3 * floor[k];
        floor = RunningMedian(psd.Values, kLow, kHigh, df, settings, isLine);
        // a median of a few segments' estimates sits below their mean (the estimate's scatter is skewed): scale the
        // floor so it holds the line-free bins' mean power, as the noise curve must
        double ratio = 0;
        int free = 0;
        for (int k = kLow; k <= kHigh; k++) if (!isLine[k] && floor[k] > 0) { ratio += psd.Values[k] / floor[k]; free++; }
        if (free > 0) for (int k = 0; k < floor.Length; k++) floor[k] *= ratio / free;

        var lines = FindLines(psd.Values, floor, periodograms, kLow, kHigh, df, settings.LineFactor, Welch.MedianBias(periodograms.Count));
        var nearLine = new bool[psd.Length];
        foreach (var l in lines)
        {
            int c = (int)Math.Round(l.Frequency / df), h = 2 + (int)Math.Ceiling(l.Width / df / 2);
            for (int k = Math.Max(0, c - h); k <= Math.Min(psd.Length - 1, c + h); k++) nearLine[k] = true;
        }
        var bands = Bands(psd, floor, periodograms, nearLine, fs, settings);
        var (triggers, live) = Triggers(pieces, settings);
        return new Measurement(psd, new FrequencySeries(0, df, floor), lines, bands, triggers, live, periodograms.Count, nper / fs);
    }

    /// <summary>Running median of v over bins [lo, hi] (half-width per <see cref="MeasurementSettings"/>), skipping excluded bins; computed on a grid and interpolated.</summary>
    private static double[] RunningMedian(ReadOnlySpan<double> v, int lo, int hi, double df, MeasurementSettings s, bool[] exclude)
    {
        var floor = new double[v.Length];
        var grid = new List<(int K, double M)>();
        var buf = new List<double>();
        for (int k = lo; k <= hi;)
        {
            int h = Math.Max(4, (int)Math.Round(Math.Max(s.FloorHalfWidth, s.FloorRelativeHalfWidth * k * df) / df));
            // the window stays symmetric and inside [lo, hi] so a monotone slope (the seismic wall) is not read as a line
            int w = Math.Min(h, Math.Min(k - lo, hi - k));
            buf.Clear();
            for (int j = k - w; j <= k + w; j++) if (!exclude[j]) buf.Add(v[j]);
            if (buf.Count < 3) for (int j = k - w; j <= k + w; j++) buf.Add(v[j]);
            var arr = buf.ToArray();
            grid.Add((k, Selection.Kth(arr, arr.Length / 2)));
            if (k == hi) break;
            k = Math.Min(hi, k + Math.Max(1, h / 8));
        }
        for (int g = 0; g < grid.Count; g++)
        {
            var (k0, m0) = grid[g];
            if (g + 1 == grid.Count) { floor[k0] = m0; break; }
            var (k1, m1) = grid[g + 1];
            for (int k = k0; k < k1; k++) floor[k] = Math.Exp(Math.Log(m0) + (Math.Log(m1) - Math.Log(m0)) * (k - k0) / (k1 - k0));
        }
        for (int k = 0; k < lo; k++) floor[k] = floor[lo];
        for (int k = hi + 1; k < v.Length; k++) floor[k] = floor[hi];
        return floor;
    }

    private static List<MeasuredLine> FindLines(ReadOnlySpan<double> p, double[] floor, List<double[]> segments, int lo, int hi, double df, double factor, double medianBias)
    {
        var lines = new List<MeasuredLine>();
        for (int k = lo; k <= hi; k++)
        {
            if (!(p[k] > factor * floor[k])) continue;
            int a = k, b = k;
            // a line is the run of bins above the threshold, gaps of one bin bridged
            while (b + 1 <= hi && (p[b + 1] > factor * floor[b + 1] || (b + 2 <= hi && p[b + 2] > factor * floor[b + 2]))) b++;
            // its power: the excess over the floor on the run and one bin either side (the Hann main lobe's skirts).
            // The median average divides a deterministic line's power by the chi-squared median bias; undo it
            int a1 = Math.Max(lo, a - 1), b1 = Math.Min(hi, b + 1);
            double excess = 0, moment = 0, peak = 0;
            for (int j = a1; j <= b1; j++)
            {
                double e = Math.Max(0, p[j] - floor[j]);
                excess += e;
                moment += e * j * df;
                peak = Math.Max(peak, p[j] / floor[j]);
            }
            double f = moment / excess, amp = Math.Sqrt(2 * excess * df * medianBias);
            // wander: the centroid and the power of the line in each segment, robust spreads
            var fs = new List<double>();
            var amps = new List<double>();
            foreach (var s in segments)
            {
                double e2 = 0, m2 = 0;
                for (int j = a1; j <= b1; j++) { double e = Math.Max(0, s[j] - floor[j]); e2 += e; m2 += e * j * df; }
                if (e2 <= 0) continue;
                fs.Add(m2 / e2);
                amps.Add(Math.Sqrt(2 * e2 * df));
            }
            // only a line that dominates its bins in every segment says how it wanders: for a weaker one the spread is
            // the noise's (a line 5x the floor seems to move by a bin between 8 s segments), and a twin line made to
            // wander that much would leave its frequency
            bool measurable = peak >= WanderPeak && segments.Count >= 6 && fs.Count >= segments.Count - 1;
            double fw = measurable ? RobustSpread(fs) : 0;
            double aw = measurable ? Math.Min(0.9, RobustSpread(amps) / Median(amps)) : 0;
            lines.Add(new MeasuredLine(f, amp, (b - a + 1) * df, peak, fw, aw));
            k = b1;
        }
        return lines;
    }

    private static List<BandStatistic> Bands(FrequencySeries psd, double[] floor, List<double[]> segments, bool[] nearLine, double fs, MeasurementSettings s)
    {
        var bands = new List<BandStatistic>();
        double top = 0.9 * fs / 2;
        var edges = s.BandEdges.Where(e => e > s.FLow && e < top).Prepend(s.FLow).Append(top).Distinct().Order().ToList();
        for (int b = 0; b + 1 < edges.Count; b++)
        {
            double lo = edges[b], hi = edges[b + 1];
            var bins = Enumerable.Range(0, psd.Length).Where(k => psd.FrequencyAt(k) >= lo && psd.FrequencyAt(k) < hi && !nearLine[k] && floor[k] > 0).ToList();
            if (bins.Count < 8) continue;
            var rayleigh = bins.Select(k =>
            {
                double m = 0, m2 = 0;
                foreach (var seg in segments) { m += seg[k]; m2 += seg[k] * seg[k]; }
                m /= segments.Count;
                return Math.Sqrt(Math.Max(0, m2 / segments.Count - m * m)) / m;
            }).ToList();
            // the band power's variation between segments, robustly (median and MAD): the level breathing, not one
            // loud transient in one segment, which the Rayleigh statistic shows and the glitch rates account for
            var power = segments.Select(seg => bins.Average(k => seg[k] / floor[k])).ToList();
            double variation = RobustSpread(power) / Median(power);
            // stationary Gaussian noise: each bin's periodogram has std = mean; a Hann window makes ~1.5 neighbouring bins one
            bands.Add(new BandStatistic(lo, hi, variation, 1 / Math.Sqrt(bins.Count / 1.5), Median(rayleigh), bins.Count));
        }
        return bands;
    }

    /// <summary>Q-transform triggers above the SNR, away from each piece's conditioned edges and from catalogued events, and the live seconds they were sought in.</summary>
    private static (List<QTrigger> Triggers, double Live) Triggers(IReadOnlyList<StrainPiece> pieces, MeasurementSettings s)
    {
        var all = new List<QTrigger>();
        double live = 0;
        foreach (var p in pieces)
        {
            double fs = p.SampleRate;
            // lines notched down to the line threshold (0.5 Hz wide): a beating line is not a transient
            var conditioning = new ConditioningSettings { FLow = Math.Max(s.FLow, 11), FHigh = Math.Min(0.45 * fs, 4096), NotchFactor = s.LineFactor, NotchHalfWidth = 8, NotchWiden = 0.5 };
            var q = new QTriggerSettings { FMin = conditioning.FLow, FMax = conditioning.FHigh, SnrThreshold = s.TriggerSnr };
            var psd = Conditioning.EstimatePsd(p.Data, fs, conditioning);
            var tiles = QTriggers.Find(p.Data, fs, p.GpsStart, psd, conditioning, q);
            // the taper and the conditioning's edge at each end give up that much of every piece
            double edge = conditioning.Taper / 2 * p.Duration + conditioning.EdgeSeconds, lo = p.GpsStart + edge, hi = p.GpsStart + p.Duration - edge;
            if (hi <= lo) continue;
            var events = s.Events.Where(e => e.Gps + s.EventGuardSeconds > lo && e.Gps - s.EventGuardSeconds < hi).ToList();
            live += hi - lo - events.Sum(e => Math.Min(hi, e.Gps + s.EventGuardSeconds) - Math.Max(lo, e.Gps - s.EventGuardSeconds));
            all.AddRange(QTriggers.Cluster(tiles.Where(t => t.Snr >= s.TriggerSnr && t.Time >= lo && t.Time < hi).ToList(), q.ClusterSeconds)
                .Where(t => !events.Any(e => Math.Abs(t.Time - e.Gps) <= s.EventGuardSeconds)));
        }
        return (all, live);
    }

    private static double Median(List<double> v)
    {
        var a = v.ToArray();
        Array.Sort(a);
        return a.Length % 2 == 1 ? a[a.Length / 2] : 0.5 * (a[a.Length / 2 - 1] + a[a.Length / 2]);
    }

    /// <summary>1.4826 x the median absolute deviation: the standard deviation for Gaussian scatter, blind to outliers.</summary>
    private static double RobustSpread(List<double> v)
    {
        double m = Median(v);
        return 1.4826 * Median(v.Select(x => Math.Abs(x - m)).ToList());
    }
}
