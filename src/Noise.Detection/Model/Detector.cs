using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Noise.Detection.Model;

/// <summary>
/// The model's answer for one window: glitch probability, class probabilities, transient time (the network's time
/// head), the SNR the window's excess power shows (<see cref="Detector.ExcessSnr"/>; NaN where not measured), and
/// the time of its largest whitened sample where that stands out of any noise (<see cref="Detector.LoudPeakSigma"/>;
/// NaN otherwise).
/// </summary>
/// <param name="Cbc">The compact-binary consistency test of the window's run, where it was tested (<see cref="CbcVeto"/>); a consistent run's glitch probability is 0.</param>
public sealed record WindowScore(double Start, double GlitchProbability, float[] ClassProbabilities, double Time, double Snr = double.NaN, double LoudPeak = double.NaN, CbcMatch? Cbc = null);

/// <summary>One model trigger: a run of windows above threshold, reported at its best window.</summary>
public sealed record ModelTrigger(double Time, double TStart, double TEnd, double Probability, string Class, double ClassProbability);

/// <summary>
/// Sliding-window inference: conditioned data at the model's rate is cut into windows every
/// <see cref="DetectorSpec.StrideSeconds"/>, scored in batches, and runs of windows whose glitch probability
/// (1 - p(None) - p(CBC_Chirp): a chirp is not a glitch) passes the threshold become one trigger each.
/// </summary>
public sealed class Detector(GlitchNet net, DetectorSpec spec)
{
    public DetectorSpec Spec { get; } = spec;

    /// <summary>
    /// The compact-binary consistency test every pipeline applies to the windows it scores (<see cref="CbcVeto"/>):
    /// runs a binary merger explains are not glitches. Null turns it off (`--no-cbc-check`).
    /// </summary>
    public CbcCheckSettings? CbcCheck { get; set; } = new();

    /// <summary>Called with every list of windows once scored, and their scores (`noise detect --windows-out`).</summary>
    public Action<IReadOnlyList<float[]>, IReadOnlyList<WindowScore>>? Scored { get; set; }

    /// <summary>
    /// Batches scored at once on each worker. On two cores 32 windows a batch score fastest (0.42 ms a window with
    /// two workers, against 0.69 ms for batches of 64 on libtorch's two intra-op threads): a batch of 64 no longer
    /// fits the caches. The batch a window falls in changes its float rounding (below 1e-5 in p), the workers do
    /// not: scores are the same to the bit on any number of cores.
    /// </summary>
    public const int DefaultBatch = 32;

    /// <summary>
    /// Batches scored side by side, each on its own thread with libtorch's intra-op pool at one thread (see
    /// <see cref="ForCores"/>): the network's small convolutions scale poorly inside one batch (two intra-op
    /// threads gave 1.3x one), so whole batches in parallel use the cores better. 1: the caller's thread only.
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>
    /// A detector that scores on <paramref name="workers"/> cores, one batch each. libtorch's intra-op thread count is
    /// process-wide, so this sets it to 1 where there is more than one worker: use it in processes that only score
    /// (detect, stream, evaluate), not while training.
    /// </summary>
    public static Detector ForCores(GlitchNet net, DetectorSpec spec, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        if (workers > 1) TorchSharp.torch.set_num_threads(1);
        return new Detector(net, spec) { Workers = workers };
    }

    /// <summary>Scores windows of <see cref="DetectorSpec.WindowSamples"/> samples each.</summary>
    public List<WindowScore> Score(IReadOnlyList<float[]> windows, IReadOnlyList<double> starts, int batch = DefaultBatch)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var result = new WindowScore[windows.Count];
        int batches = (windows.Count + batch - 1) / batch;
        void One(int b) => ScoreBatch(windows, starts, b * batch, Math.Min(batch, windows.Count - b * batch), result);
        if (Workers <= 1 || batches <= 1)
            for (int b = 0; b < batches; b++) One(b);
        else
        {
            int next = -1;
            ScoringThreads.Run(Math.Min(Workers, batches), () => { for (int b; (b = Interlocked.Increment(ref next)) < batches;) One(b); });
        }
        var list = result.ToList();
        Scored?.Invoke(windows, list);
        return list;
    }

    private void ScoreBatch(IReadOnlyList<float[]> windows, IReadOnlyList<double> starts, int from, int n, WindowScore[] into)
    {
        int w = Spec.WindowSamples, none = Spec.NoneIndex, chirp = Spec.ChirpIndex, k = Spec.Classes.Count;
        // gradient mode is per thread: each worker turns it off for itself
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var flat = new float[n * w];
        for (int i = 0; i < n; i++) windows[from + i].CopyTo(flat, i * w);
        var (logits, time) = net.forward(tensor(flat, [n, w]));
        var p = nn.functional.softmax(logits, 1).data<float>().ToArray();
        var t = time.data<float>().ToArray();
        for (int i = 0; i < n; i++)
        {
            var probs = p.AsSpan(i * k, k).ToArray();
            double glitch = 1 - probs[none] - (chirp >= 0 ? probs[chirp] : 0);
            double start = starts[from + i];
            into[from + i] = new WindowScore(start, Math.Max(0, glitch), probs, start + t[i] * Spec.WindowSeconds, ExcessSnr(windows[from + i]), LoudPeak(windows[from + i], start));
        }
    }

    /// <summary>
    /// Whitened samples this many sigma out cannot be noise (the largest of a window's 4096 Gaussian samples is
    /// about 4.4; 10 has odds of 10^-23 a sample), so where one stands out, a loud transient peaks there.
    /// </summary>
    public const double LoudPeakSigma = 10;

    /// <summary>
    /// The GPS time of the window's largest |sample| if it reaches <see cref="LoudPeakSigma"/>, else NaN. The time
    /// head learnt transients of SNR up to ~100 and lost its way beyond: on O4 noise it put a Blip of SNR 179
    /// 0.58 s from its peak, which the whitened data shows to the sample.
    /// </summary>
    public double LoudPeak(ReadOnlySpan<float> window, double start)
    {
        int at = -1;
        float best = (float)LoudPeakSigma;
        for (int i = 0; i < window.Length; i++)
        {
            float a = Math.Abs(window[i]);
            if (a >= best) { best = a; at = i; }
        }
        return at < 0 ? double.NaN : start + (double)at / Spec.SampleRate;
    }

    /// <summary>
    /// The SNR a window's excess power shows: whitened noise has unit variance, so a transient adds its
    /// whitened energy to the window's sum of squares, and its SNR in the kept band is
    /// rho^2 = (sum x^2 - N) (f_high - f_low) / (fs / 2). Noise alone scatters it by about +-9 (rho^2).
    /// </summary>
    public double ExcessSnr(ReadOnlySpan<float> window)
    {
        double e = 0;
        foreach (float v in window) e += (double)v * v;
        var c = Spec.Conditioning;
        double share = (c.HighFor(Spec.SampleRate) - c.FLow) / (Spec.SampleRate / 2.0);
        return Math.Sqrt(Math.Max(0, e - window.Length) * share);
    }

    /// <summary>Every window of a conditioned series (NaN-free windows only), scored.</summary>
    /// <param name="keep">Which window starts (GPS s) to score; default all. A chunked scan keeps only its middle's
    /// windows (its neighbours score the rest), and scoring the others too cost a fifth of the model's time.</param>
    public List<WindowScore> Slide(double[] conditioned, double start, Func<double, bool>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(conditioned);
        int w = Spec.WindowSamples, step = (int)Math.Round(Spec.StrideSeconds * Spec.SampleRate);
        var windows = new List<float[]>();
        var starts = new List<double>();
        for (int i0 = 0; i0 + w <= conditioned.Length; i0 += step)
        {
            if (keep is not null && !keep(start + (double)i0 / Spec.SampleRate)) continue;
            var d = new float[w];
            bool ok = true;
            for (int i = 0; i < w && ok; i++)
            {
                double v = conditioned[i0 + i];
                if (!double.IsFinite(v)) ok = false;
                d[i] = (float)v;
            }
            if (!ok) continue;
            windows.Add(d);
            starts.Add(start + (double)i0 / Spec.SampleRate);
        }
        return Score(windows, starts);
    }

    /// <summary>
    /// The most probable glitch class of a window (None and the chirp are not glitch classes): the network's class
    /// probabilities, learnt on balanced classes and equal SNR distributions, weighed by each class's prior in the
    /// model's scenario at the window's SNR: its rate (<see cref="DetectorSpec.ClassRates"/>) times its SNR law's
    /// density there (<see cref="DetectorSpec.ClassSnr"/>). Bayes' rule for a change of priors.
    /// </summary>
    public int GlitchClass(WindowScore score) => GlitchClass(score, out _);

    /// <param name="probability">The chosen class's probability among the glitch classes, after the rate weighting.</param>
    public int GlitchClass(WindowScore score, out double probability)
    {
        ArgumentNullException.ThrowIfNull(score);
        int cls = -1;
        double best = -1, total = 0;
        for (int c = 0; c < score.ClassProbabilities.Length; c++)
        {
            if (c == Spec.NoneIndex || c == Spec.ChirpIndex) continue;
            double v = score.ClassProbabilities[c] * (c < Spec.ClassRates.Count ? Spec.ClassRates[c] : 1) * SnrPrior(c, score.Snr);
            total += v;
            if (cls < 0 || v > best) { cls = c; best = v; }
        }
        probability = total > 0 ? best / total : 0;
        return cls;
    }

    /// <summary>Class <paramref name="c"/>'s SNR density at <paramref name="snr"/>; 1 where the model has no SNR laws or the window shows no excess power.</summary>
    private double SnrPrior(int c, double snr)
    {
        // no excess power at all (or none measured) says nothing the laws could weigh: every class alike
        if (Spec.ClassSnr.Count == 0 || !(snr > 0) || !double.IsFinite(snr)) return 1;
        return c < Spec.ClassSnr.Count && Spec.ClassSnr[c] is { } law ? law.PerLogSnr(snr) : SnrLaw.Flat;
    }

    /// <summary>
    /// The trigger of a run of windows from <paramref name="firstStart"/> to <paramref name="lastStart"/>, reported
    /// at its best window: at the window's loud whitened peak where it has one, else at the time head's estimate.
    /// </summary>
    public ModelTrigger TriggerOf(WindowScore best, double firstStart, double lastStart)
    {
        ArgumentNullException.ThrowIfNull(best);
        int cls = GlitchClass(best, out double classProbability);
        double time = double.IsFinite(best.LoudPeak) ? best.LoudPeak : best.Time;
        return new ModelTrigger(time, firstStart, lastStart + Spec.WindowSeconds, best.GlitchProbability, Spec.Classes[cls], classProbability);
    }

    /// <summary>
    /// Runs of consecutive windows (no gap longer than one stride) whose statistic (the glitch probability smoothed
    /// over <see cref="DetectorSpec.SmoothWindows"/>, <see cref="WindowSmoother"/>) is at or above the threshold,
    /// one trigger each.
    /// </summary>
    public List<ModelTrigger> Triggers(List<WindowScore> scores, double threshold)
    {
        return TriggersOfStatistic(Statistic(scores), threshold);
    }

    /// <summary>The windows with their trigger statistic in place of the glitch probability, in time order.</summary>
    private List<WindowScore> Statistic(List<WindowScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return WindowSmoother.Apply(scores.OrderBy(s => s.Start), Spec.SmoothWindows, Spec.StrideSeconds);
    }

    /// <summary>The runs of <see cref="Triggers"/> on windows that already carry the statistic (see <see cref="Statistic"/>).</summary>
    private List<ModelTrigger> TriggersOfStatistic(List<WindowScore> statistic, double threshold)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        var triggers = new List<ModelTrigger>();
        WindowScore? best = null;
        double runStart = 0, last = double.NegativeInfinity;
        void Close()
        {
            if (best is null) return;
            triggers.Add(TriggerOf(best, runStart, last));
            best = null;
        }
        foreach (var s in statistic.OrderBy(s => s.Start))
        {
            if (s.GlitchProbability < threshold) continue;
            if (best is not null && s.Start - last > Spec.StrideSeconds * 1.5) Close();
            if (best is null) runStart = s.Start;
            if (best is null || s.GlitchProbability > best.GlitchProbability) best = s;
            last = s.Start;
        }
        Close();
        return triggers;
    }

    /// <summary>
    /// Long-lived threads that score the batches, shared by every detector in the process. Not the thread pool nor
    /// threads per call: libtorch keeps per-thread state, and batches on fresh threads scored at 0.78 ms a window
    /// against 0.42 ms on threads that had scored before (two cores); a stream's pool threads are also busy with
    /// its source and baseline, where Parallel.For ran every batch on the caller.
    /// </summary>
    private static class ScoringThreads
    {
        private static readonly BlockingCollection<Action> Queue = new();
        private static readonly Lock Gate = new();
        private static int _started;

        /// <summary>Runs <paramref name="work"/> on <paramref name="count"/> of the threads at once and waits for all.</summary>
        public static void Run(int count, Action work)
        {
            lock (Gate)
            {
                for (; _started < count; _started++)
                    new Thread(() => { foreach (var a in Queue.GetConsumingEnumerable()) a(); }) { IsBackground = true, Name = $"scoring {_started}" }.Start();
            }
            using var done = new CountdownEvent(count);
            Exception? error = null;
            for (int i = 0; i < count; i++)
                Queue.Add(() =>
                {
                    try { work(); }
                    catch (Exception e) { Interlocked.CompareExchange(ref error, e, null); }
                    finally { done.Signal(); }
                });
            done.Wait();
            if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }
}
