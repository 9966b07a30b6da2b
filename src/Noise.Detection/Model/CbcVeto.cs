using Noise.Core;

namespace Noise.Detection.Model;

/// <summary>
/// The model's glitch windows that a binary merger explains are not glitches: every run of windows whose glitch
/// probability reaches <see cref="CbcCheckSettings.ProbabilityFloor"/> is tested once, at its most probable window, against a bank
/// of IMRPhenomA templates (<see cref="CbcFilter"/>); where the best template passes the consistency test (SNR,
/// chi-square, share of the excess power, the bank's edge), the run's glitch probability becomes 0 and the match is kept on each
/// window (<see cref="WindowScore.Cbc"/>). Real mergers differ from anything the twin trains on (spins, real
/// noise around them); a matched filter with a chi-square test is what searches use to tell them from glitches.
/// </summary>
public sealed class CbcVeto
{
    /// <summary>How far before the window the merger is searched for (s). The segment ends at the window's end: a stream has nothing later when it decides.</summary>
    public const double SearchSeconds = 0.5;

    private static readonly Dictionary<(int, double, CbcCheckSettings), CbcBank> Banks = [];
    private static readonly Lock Gate = new();
    private readonly DetectorSpec _spec;
    private readonly CbcBank _bank;

    public CbcCheckSettings Settings => _settings;
    private readonly CbcCheckSettings _settings;
    /// <summary>Runs tested, and found consistent, over this instance's life.</summary>
    public int Tested { get; private set; }
    public int Vetoed { get; private set; }

    public CbcVeto(DetectorSpec spec, CbcCheckSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        settings ??= new CbcCheckSettings();
        _settings = settings;
        double fHigh = spec.Conditioning.HighFor(spec.SampleRate);
        // the bank depends only on rate, band and settings: built once per process (a fifth of a second)
        lock (Gate)
        {
            var key = (spec.SampleRate, fHigh, settings with { ProbabilityFloor = 0 });
            if (!Banks.TryGetValue(key, out var bank)) Banks[key] = bank = new CbcBank(spec.SampleRate, fHigh, settings);
            _bank = bank;
        }
    }

    /// <summary>
    /// Windows of one stretch of conditioned data (<paramref name="data"/> at the model's rate from GPS
    /// <paramref name="dataStart"/>, whitened with <paramref name="gain"/>), with runs that a merger explains set to
    /// glitch probability 0. Windows may come in any order; the result is in time order.
    /// </summary>
    public List<WindowScore> Apply(List<WindowScore> windows, ReadOnlySpan<double> data, double dataStart, Func<double, double> gain)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(gain);
        var sorted = windows.OrderBy(w => w.Start).ToList();
        double floor = _settings.ProbabilityFloor;
        CbcFilter? filter = null;
        double stride = _spec.StrideSeconds;
        int fs = _spec.SampleRate;
        for (int i = 0; i < sorted.Count;)
        {
            if (sorted[i].GlitchProbability < floor) { i++; continue; }
            int j = i + 1;
            while (j < sorted.Count && sorted[j].GlitchProbability >= floor && sorted[j].Start - sorted[j - 1].Start <= 1.5 * stride) j++;
            int best = i;
            for (int k = i; k < j; k++) if (sorted[k].GlitchProbability > sorted[best].GlitchProbability) best = k;
            var w = sorted[best];
            // the merger is searched for from SearchSeconds before the most probable window to its end
            long wStart = (long)Math.Round((w.Start - dataStart) * fs), wEnd = wStart + _spec.WindowSamples;
            long end = Math.Min(data.Length, wEnd), begin = Math.Max(0, end - _bank.N);
            if (wStart >= begin && wEnd <= end)
            {
                wStart = Math.Max(begin, wStart - (long)Math.Round(SearchSeconds * fs));
                filter ??= new CbcFilter(_bank, gain);
                var match = filter.Test(data[(int)begin..(int)end], dataStart + (double)begin / fs, (int)(wStart - begin), (int)(wEnd - begin), w.Snr, w.GlitchProbability);
                Tested++;
                if (match.Consistent) Vetoed++;
                for (int k = i; k < j; k++)
                    sorted[k] = sorted[k] with { GlitchProbability = match.Consistent ? 0 : sorted[k].GlitchProbability, Cbc = match with { ModelProbability = sorted[k].GlitchProbability } };
            }
            i = j;
        }
        return sorted;
    }
}
