using System.Globalization;

namespace Noise.Core;

/// <summary>
/// A one-sided noise power spectral density S(f) in 1/Hz, known at increasing frequencies and interpolated
/// linearly in log-log space between them (noise curves are power laws between their points).
/// </summary>
public sealed class PsdCurve
{
    private readonly double[] _f;
    private readonly double[] _s;

    public PsdCurve(double[] frequencies, double[] psd, string source)
    {
        ArgumentNullException.ThrowIfNull(frequencies);
        ArgumentNullException.ThrowIfNull(psd);
        if (frequencies.Length != psd.Length || frequencies.Length < 2)
            throw new ArgumentException("a PSD curve needs at least two (frequency, value) points");
        _f = frequencies;
        _s = psd;
        Source = source;
    }

    /// <summary>Where the curve came from (file path or model name), for messages and manifests.</summary>
    public string Source { get; }

    public double MinFrequency => _f[0];
    public double MaxFrequency => _f[^1];
    public ReadOnlySpan<double> Frequencies => _f;
    public ReadOnlySpan<double> Values => _s;

    /// <summary>S(f); outside the tabulated range the end values are held.</summary>
    public double At(double f)
    {
        if (f <= _f[0]) return _s[0];
        if (f >= _f[^1]) return _s[^1];
        int hi = Array.BinarySearch(_f, f);
        if (hi >= 0) return _s[hi];
        hi = ~hi;
        int lo = hi - 1;
        double f0 = _f[lo], f1 = _f[hi], s0 = _s[lo], s1 = _s[hi];
        if (f0 > 0 && s0 > 0 && s1 > 0)
        {
            double t = Math.Log(f / f0) / Math.Log(f1 / f0);
            return Math.Exp(Math.Log(s0) + t * (Math.Log(s1) - Math.Log(s0)));
        }
        return s0 + (s1 - s0) * (f - f0) / (f1 - f0);
    }

    public PsdCurve Scaled(double factor)
    {
        var s = new double[_s.Length];
        for (int i = 0; i < s.Length; i++) s[i] = _s[i] * factor;
        return new PsdCurve(_f, s, Source);
    }

    /// <summary>
    /// Reads a two-column text curve (frequency in Hz, then ASD in 1/sqrt(Hz) or PSD in 1/Hz). Lines starting
    /// with '#' or '%' are comments. Any malformed line is an error naming the file and line.
    /// </summary>
    public static PsdCurve Load(string path, bool isAsd)
    {
        if (!File.Exists(path)) throw new NoiseInputException($"{path}: noise curve file not found");
        // a run reads its curve several times (validation, engine, glitch SNRs); parse each file version once
        var key = (Path.GetFullPath(path), File.GetLastWriteTimeUtc(path), new FileInfo(path).Length, isAsd);
        return Parsed.GetOrAdd(key, _ => Parse(path, isAsd));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, DateTime, long, bool), PsdCurve> Parsed = new();

    private static PsdCurve Parse(string path, bool isAsd)
    {
        var f = new List<double>();
        var s = new List<double>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || line[0] == '%') continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2)
                throw new NoiseInputException($"{path}:{lineNo}: expected two columns (frequency, {(isAsd ? "ASD" : "PSD")}), found {parts.Length} (truncated file?)");
            if (!double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var freq) ||
                !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var val))
                throw new NoiseInputException($"{path}:{lineNo}: not a number in '{Shorten(line)}'");
            if (!double.IsFinite(freq) || !double.IsFinite(val) || val < 0)
                throw new NoiseInputException($"{path}:{lineNo}: values must be finite and the {(isAsd ? "ASD" : "PSD")} non-negative, got '{Shorten(line)}'");
            if (freq < 0 || (f.Count > 0 && freq <= f[^1]))
                throw new NoiseInputException($"{path}:{lineNo}: frequencies must be non-negative and strictly increasing ({freq} after {(f.Count > 0 ? f[^1] : 0)})");
            f.Add(freq);
            s.Add(isAsd ? val * val : val);
        }
        if (f.Count < 2) throw new NoiseInputException($"{path}: a noise curve needs at least two data lines, found {f.Count}");
        return new PsdCurve(f.ToArray(), s.ToArray(), path);
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "...";
}
