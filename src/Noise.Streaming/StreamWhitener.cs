using Noise.Core;
using Noise.Detection;

namespace Noise.Streaming;

/// <summary>
/// Whitening for a stream without edge artefacts: the conditioning gain (<see cref="Conditioning.Gain"/>, the same
/// band, notches and normalisation as block whitening) becomes a zero-phase FIR filter of FilterSeconds, designed
/// by weighted least squares against the PSD (see <see cref="LeastSquaresTaps"/>; not the Hann-truncated impulse
/// response PyCBC and GstLAL use), applied by overlap-save FFT convolution. An output sample needs input up to
/// FilterSeconds / 2 ahead of it: that is the whitener's whole latency. Outputs whose filter support touches a gap, NaN or not-ready data are NaN.
/// Output is at the model's rate: the band-limited result is inverse-transformed on the coarser grid.
/// </summary>
public sealed class StreamWhitener
{
    private readonly int _fs, _factor, _half, _n;
    private readonly ConditioningSettings _settings;
    private readonly RealFft<double> _fft;
    private readonly RealFft<double> _coarse;
    private double[]? _hRe, _hIm;
    private double[]? _oldRe, _oldIm;
    private long _fadeFrom = long.MinValue;
    private readonly int _fade;
    private readonly double[] _yOld;
    private bool[]? _notched;
    private readonly double[] _buf, _re, _im, _y, _cr, _ci;
    private readonly int[] _prefix;
    private readonly bool[] _usable;

    public StreamWhitener(int sampleRate, int outputRate, double filterSeconds, ConditioningSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        double ratio = (double)sampleRate / outputRate;
        _factor = (int)Math.Round(ratio);
        if (Math.Abs(ratio - _factor) > 1e-9 || _factor < 1 || (_factor & (_factor - 1)) != 0)
            throw new NoiseInputException($"stream: data at {sampleRate} Hz cannot be brought to the model's {outputRate} Hz (the ratio must be a power of two)");
        if (!(filterSeconds > 0 && filterSeconds <= 8)) throw new NoiseInputException($"--filter-seconds must lie in (0, 8], got {filterSeconds}");
        _fs = sampleRate;
        _settings = settings;
        _half = Math.Max(_factor, (int)Math.Round(filterSeconds * sampleRate / 2 / _factor) * _factor);
        // blocks of at least 4 s: fewer, larger FFTs at max speed; still a few ms each
        _n = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(4 * _half, 4 * sampleRate));
        _fft = new RealFft<double>(_n);
        _coarse = new RealFft<double>(_n / _factor);
        _buf = new double[_n];
        _re = new double[_n / 2 + 1];
        _im = new double[_n / 2 + 1];
        _y = new double[_n / _factor];
        _cr = new double[_n / _factor / 2 + 1];
        _ci = new double[_n / _factor / 2 + 1];
        _prefix = new int[_n + 1];
        _usable = new bool[_n];
        _yOld = new double[_n / _factor];
        _fade = 2 * _half;
    }

    /// <summary>Input samples needed beyond an output sample (half the filter).</summary>
    public int LookAhead => _half;
    public int Factor => _factor;
    public bool Ready => _hRe is not null;
    /// <summary>The next output, as an input-rate sample index (a multiple of <see cref="Factor"/>).</summary>
    public long NextOut { get; private set; } = long.MinValue;

    /// <summary>
    /// Builds the filter for a new PSD estimate. The stream goes on where it was, cross-fading from the old filter's
    /// output to the new one's over one filter length: a sudden switch would step every line's residual and put a
    /// broadband click in the data (measured: a Q-transform fired on ~200 such clicks per hour).
    /// </summary>
    /// <param name="dataEnd">The input's end when the PSD was estimated: the cross-fade starts at the newest output it
    /// allows, wherever whitening has got to, so a replay fades at the same place however its blocks fell.</param>
    public void Design(FrequencySeries psd, long? dataEnd = null)
    {
        ArgumentNullException.ThrowIfNull(psd);
        int nd = (int)Math.Round(_fs / psd.DeltaF);
        if (nd < 2 * _half)
            throw new NoiseInputException($"stream: the PSD's resolution ({psd.DeltaF} Hz) is too coarse for a {2.0 * _half / _fs} s whitening filter");
        // notches are sticky: a line hovering about the notch threshold would otherwise switch a 20 Hz band on
        // and off between estimates, which a Q-transform sees as a burst at the line
        var found = Conditioning.Notches(psd, _settings);
        if (_notched is null || _notched.Length != found.Length) _notched = found;
        else for (int j = 0; j < found.Length; j++) _notched[j] |= found[j];
        NotchedBands = Conditioning.NotchBands(psd, _notched);
        var gain = Conditioning.Gain(psd, _fs, _settings, _notched);
        Gain = gain;
        var taps = LeastSquaresTaps(psd, gain);
        Array.Clear(_buf);
        int halfOut = _half / _factor;
        // taps on the output grid, every _factor input samples: the filter's response repeats every output rate,
        // and Filter keeps only the output band, so this is the output-rate filter applied to band-limited input
        for (int m = -halfOut; m <= halfOut; m++) _buf[(m * _factor + _n) % _n] = taps[m + halfOut];
        var hr = new double[_n / 2 + 1];
        var hi = new double[_n / 2 + 1];
        _fft.Forward(_buf, hr, hi);
        if (_hRe is not null && NextOut != long.MinValue)
        {
            (_oldRe, _oldIm) = (_hRe, _hIm);
            _fadeFrom = dataEnd is long end ? Math.Max(NextOut, (end - _half) / _factor * _factor) : NextOut;
        }
        (_hRe, _hIm) = (hr, hi);
    }

    /// <summary>
    /// The bands (Hz) notched so far: they only grow (notches are sticky). A new list each design, never changed
    /// afterwards, so a queued baseline segment keeps the bands it was given while the stream goes on.
    /// </summary>
    public IReadOnlyList<(double Lo, double Hi)> NotchedBands { get; private set; } = [];

    /// <summary>The whitening gain of the latest design (what a matched filter whitens its templates with); null before the first.</summary>
    public Func<double, double>? Gain { get; private set; }

    /// <summary>
    /// The zero-phase FIR of FilterSeconds (on the output grid) whose output is closest, in mean square, to the ideal
    /// whitening gain's output for noise of this PSD: minimise sum_f S(f) |H(f) - G(f)|^2. Truncating G's impulse
    /// response with a window instead smears G over the window's main lobe (+-2 Hz for 1 s), and where S is steep
    /// that costs a lot: just below f_low, on the seismic wall, a 1 s Hann-truncated filter passed 2.7 times the
    /// in-band level of twin O3 noise (10-11 Hz, f_low 11); this design passes 0.03 there, at the same length and
    /// latency (measured with numpy on 512 s of twin O3 noise and on GWOSC 32 s files).
    /// </summary>
    private double[] LeastSquaresTaps(FrequencySeries psd, Func<double, double> gain)
    {
        double fsOut = (double)_fs / _factor;
        // the output band ends at fsOut / 2, where Filter cuts each block's spectrum: a response that is not ~0 there
        // makes the output depend on where blocks fall (paced vs replayed: up to 0.08 sigma, measured). The
        // least-squares part leaves room for a Kaiser low-pass (~120 dB from the band's top to fsOut / 2) and the two
        // are convolved, so the filter still spans FilterSeconds.
        var lowPass = NyquistGuard(fsOut, _settings.HighFor(_fs), _half / _factor);
        int guard = lowPass.Length / 2;
        int half = _half / _factor - guard, taps = 2 * half + 1;
        // the design grid: the PSD's own resolution, or finer when the filter is nearly as long as a PSD segment
        int grid = (int)Math.Max(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Round(fsOut / psd.DeltaF)),
            System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(2 * taps)));
        var weight = new double[grid / 2 + 1];
        var target = new double[grid / 2 + 1];
        double inBandMin = double.PositiveInfinity, last = 0;
        for (int k = 1; k < grid / 2; k++)
        {
            double f = k * fsOut / grid;
            int j = Math.Clamp((int)Math.Round((f - psd.F0) / psd.DeltaF), 0, psd.Length - 1);
            // a stream's running PSD is averaged only a little beyond f_high (NaN above): the noise there is taken
            // to stay at the last estimated level, which is all the design needs to keep that band out
            double v = psd.Values[j];
            if (double.IsFinite(v)) last = Math.Max(v, 0);
            weight[k] = last;
            target[k] = gain(f);
            if (target[k] > 0) inBandMin = Math.Min(inBandMin, weight[k]);
        }
        // a bound on the weights' spread keeps the normal equations well-posed (10^12: far beyond any leakage that
        // could still matter, measured on GWOSC data whose wall is 10^10 above the band)
        double cap = double.IsFinite(inBandMin) && inBandMin > 0 ? 1e12 * inBandMin : double.MaxValue;
        // and a floor (10^4 times the quietest in-band level) below f_low: where the running PSD is nearly empty (the
        // twin colours from 10 Hz) the weights left the response free, and what turned up there later passed at
        // in-band gain. The twin's segment cross-fades leak bursts there every 15.5 s: they came out as 2-8 Hz clicks
        // of up to 1 sigma, and the loudest were the stream's false alarms (Whistles). With the floor: 0.013 sigma
        // at most (1300 s of glitch-free O3); a 1e6 floor removed them entirely but moved the band edge more.
        double floor = double.IsFinite(inBandMin) && inBandMin > 0 ? 1e4 * inBandMin : 0;
        var product = new double[grid / 2 + 1];
        var zero = new double[grid / 2 + 1];
        for (int k = 1; k < grid / 2; k++)
        {
            if (k * fsOut / grid < _settings.FLow) weight[k] = Math.Max(weight[k], floor);
            weight[k] = Math.Min(weight[k], cap);
            product[k] = weight[k] * target[k];
        }
        var fft = RealFft<double>.ForThread(grid);
        var autocorrelation = new double[grid];
        var crossCorrelation = new double[grid];
        fft.Inverse(weight, zero, autocorrelation);
        fft.Inverse(product, zero, crossCorrelation);
        var column = new double[taps];
        Array.Copy(autocorrelation, column, taps);
        if (!(column[0] > 0 && double.IsFinite(column[0])))
            throw new NoiseInputException("stream: the running PSD holds no finite power below the model's Nyquist frequency; cannot design the whitening filter");
        column[0] *= 1 + 1e-12;
        var rhs = new double[taps];
        for (int m = -half; m <= half; m++) rhs[m + half] = crossCorrelation[Math.Abs(m)];
        var solution = SolveSymmetricToeplitz(column, rhs);
        if (!solution.All(double.IsFinite)) throw new InvalidOperationException("stream: the whitening filter design did not converge (non-finite taps)");
        var combined = new double[taps + 2 * guard];
        for (int i = 0; i < taps; i++)
            for (int j = 0; j < lowPass.Length; j++) combined[i + j] += solution[i] * lowPass[j];
        return combined;
    }

    /// <summary>
    /// A linear-phase Kaiser low-pass on the output grid: passes the model's band (to fHigh) and stops from just below
    /// fsOut / 2, about 120 dB down, with at most a quarter of the filter's half-length.
    /// </summary>
    private static double[] NyquistGuard(double fsOut, double fHigh, int maxHalf)
    {
        double transition = fsOut / 2 - fHigh;   // Hz between the band's top and the output Nyquist
        if (transition <= 0) return [1.0];
        const double attenuation = 120;
        double beta = 0.1102 * (attenuation - 8.7);
        double dw = 2 * Math.PI * transition / fsOut;
        int half = Math.Min(maxHalf / 4, (int)Math.Ceiling((attenuation - 8) / (2.285 * dw) / 2));
        if (half < 1) return [1.0];
        double cutoff = (fHigh + fsOut / 2) / 2 / fsOut;   // cycles per sample, mid-transition
        var q = new double[2 * half + 1];
        double i0Beta = BesselI0(beta), sum = 0;
        for (int m = -half; m <= half; m++)
        {
            double r = (double)m / half;
            double sinc = m == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * m) / (Math.PI * m);
            q[m + half] = sinc * BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - r * r))) / i0Beta;
            sum += q[m + half];
        }
        for (int i = 0; i < q.Length; i++) q[i] /= sum;   // unit gain at DC, so in the band
        return q;
    }

    private static double BesselI0(double x)
    {
        double term = 1, sum = 1, y = x * x / 4;
        for (int k = 1; k < 200 && term > 1e-17 * sum; k++) { term *= y / (k * (double)k); sum += term; }
        return sum;
    }

    /// <summary>Levinson recursion for T x = b, T symmetric Toeplitz with first column r (O(n^2), positive definite T).</summary>
    private static double[] SolveSymmetricToeplitz(double[] r, double[] b)
    {
        int n = r.Length;
        var forward = new double[n];
        var next = new double[n];
        var x = new double[n];
        forward[0] = 1 / r[0];
        x[0] = b[0] / r[0];
        for (int k = 1; k < n; k++)
        {
            // extending the order-k forward vector (T_k f = e_1) by a zero leaves an error ef in the new last row;
            // by symmetry the backward vector is the forward one reversed and has the same error in the first row
            double ef = 0, ex = 0;
            for (int i = 0; i < k; i++) { ef += r[k - i] * forward[i]; ex += r[k - i] * x[i]; }
            double scale = 1 / (1 - ef * ef);
            for (int i = 0; i <= k; i++)
            {
                double f = i < k ? forward[i] : 0, bw = i > 0 ? forward[k - i] : 0;
                next[i] = scale * (f - ef * bw);
            }
            (forward, next) = (next, forward);
            double c = b[k] - ex;
            for (int i = 0; i <= k; i++) x[i] += c * forward[k - i];
        }
        return x;
    }

    /// <summary>The block spectrum (in _re, _im) times a filter, inverse-transformed on the output grid into y.</summary>
    private void Filter(double[] hRe, double[] hIm, double[] y)
    {
        int nc = _n / _factor;
        for (int k = 0; k < nc / 2; k++)
        {
            _cr[k] = _re[k] * hRe[k] - _im[k] * hIm[k];
            _ci[k] = _re[k] * hIm[k] + _im[k] * hRe[k];
        }
        _coarse.Inverse(_cr, _ci, y);
    }

    /// <summary>Starts the output at input sample <paramref name="at"/> (rounded up to the output grid).</summary>
    public void StartAt(long at)
    {
        NextOut = (long)Math.Ceiling((double)at / _factor) * _factor;
        if (_oldRe is not null && NextOut >= _fadeFrom + _fade) (_oldRe, _oldIm) = (null, null);
    }

    /// <summary>
    /// Whitens what the input now allows (every output whose support ends before <paramref name="rawEnd"/>) into
    /// <paramref name="output"/> (indexed at the output rate); returns the output end (exclusive, output rate).
    /// </summary>
    /// <param name="wholeBlocks">Only whiten full blocks (a replay behind its source: one FFT per block, not per frame).</param>
    public long Advance(SampleRing raw, long rawEnd, SampleRing output, bool wholeBlocks = false)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(output);
        if (_hRe is null || _hIm is null) throw new InvalidOperationException("Design the filter first");
        int span = _n - 2 * _half;
        while (NextOut + _half + (wholeBlocks ? span : 0) < rawEnd + (wholeBlocks ? 1 : 0))
        {
            long limit = Math.Min(NextOut + span, rawEnd - _half);
            int count = (int)((limit - NextOut) / _factor * _factor);
            if (count <= 0) break;
            long first = NextOut - _half;
            raw.Read(first, _buf);
            Conditioning.UsableMask(_buf, _usable);
            for (int i = 0; i < _n; i++)
            {
                bool bad = !_usable[i];
                if (bad) _buf[i] = 0;
                _prefix[i + 1] = _prefix[i] + (bad ? 1 : 0);
            }
            _fft.Forward(_buf, _re, _im);
            Filter(_hRe, _hIm, _y);
            bool fading = _oldRe is not null && NextOut < _fadeFrom + _fade;
            if (fading) Filter(_oldRe!, _oldIm!, _yOld);
            var outv = new double[count / _factor];
            for (int o = 0; o < outv.Length; o++)
            {
                int i = _half + o * _factor;   // position in the block
                bool clean = _prefix[i + _half + 1] - _prefix[i - _half] == 0;
                double v = _y[i / _factor];
                if (fading)
                {
                    // raised-cosine weight of the new filter over [fadeFrom, fadeFrom + fade)
                    double u = Math.Clamp((double)(NextOut + o * _factor - _fadeFrom) / _fade, 0, 1);
                    double w = 0.5 - 0.5 * Math.Cos(Math.PI * u);
                    v = w * v + (1 - w) * _yOld[i / _factor];
                }
                outv[o] = clean ? v / _n : double.NaN;
            }
            if (fading && NextOut + count >= _fadeFrom + _fade) (_oldRe, _oldIm) = (null, null);
            output.Write(NextOut / _factor, outv);
            NextOut += count;
        }
        return NextOut / _factor;
    }
}
