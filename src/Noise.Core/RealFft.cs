using System.Numerics;

namespace Noise.Core;

/// <summary>
/// Real FFT of a power-of-two length N, unnormalised (numpy's rfft, and irfft times N), in float32 (the twin's
/// engine) or float64 (conditioning real strain, whose seismic band stands 10^5-10^7 above the bucket: float32's
/// rounding floor would reach the bucket). It folds the N/2+1 Hermitian bins into one complex FFT of length N/2
/// (the classic even/odd packing) and runs that through <see cref="StockhamFft{T}"/> (radix-2 passes in float32,
/// radix-4 in float64), vectorised with Vector256. Measured 4-6x faster than NWaves' RealFft on this machine (benchmarks/RESULTS.md), which is why
/// the CPU backend and the conditioning use it. Instances hold scratch buffers: use one per thread. Results depend
/// only on the input (no threading inside), so every caller gets the same bits.
/// </summary>
public sealed class RealFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _n;
    private readonly int _m;
    private readonly T[] _twRe; // e^{+2 pi i k / N}, k < M: the packing twiddles
    private readonly T[] _twIm;
    private readonly StockhamFft<T> _complex;  // the length-M complex transform the packing feeds
    private readonly T[] _aRe, _aIm;

    public RealFft(int n)
    {
        if (n < 4 || !BitOperations.IsPow2(n)) throw new ArgumentException("FFT length must be a power of two >= 4", nameof(n));
        _n = n;
        _m = n / 2;
        _twRe = new T[_m];
        _twIm = new T[_m];
        for (int k = 0; k < _m; k++)
        {
            double a = 2 * Math.PI * k / n;
            _twRe[k] = T.CreateTruncating(Math.Cos(a));
            _twIm[k] = T.CreateTruncating(Math.Sin(a));
        }
        _complex = new StockhamFft<T>(_m);
        _aRe = new T[_m]; _aIm = new T[_m];
    }

    private static readonly T Half = T.CreateTruncating(0.5);

    [ThreadStatic] private static Dictionary<int, RealFft<T>>? _perThread;

    /// <summary>
    /// This thread's transform of length <paramref name="n"/>, built on first use: building one (its twiddles) costs
    /// about a transform, and callers that transform chunk after chunk of one length should not pay it each time.
    /// </summary>
    public static RealFft<T> ForThread(int n)
    {
        _perThread ??= [];
        if (!_perThread.TryGetValue(n, out var fft)) _perThread[n] = fft = new RealFft<T>(n);
        return fft;
    }

    public int Length => _n;

    /// <summary>
    /// out[t] = sum over the full Hermitian spectrum of X_k e^{+2 pi i k t / N}, from X given as N/2+1
    /// interleaved (re, im) pairs. The imaginary parts of X_0 and X_{N/2} are ignored, as irfft does.
    /// </summary>
    public void Inverse(ReadOnlySpan<T> interleavedBins, Span<T> output)
    {
        if (interleavedBins.Length < 2 * (_m + 1)) throw new ArgumentException("need N/2+1 complex bins", nameof(interleavedBins));
        if (output.Length < _n) throw new ArgumentException("output shorter than N", nameof(output));
        var zr = _aRe; var zi = _aIm;
        // Pack: Z_k = (X_k + conj X_{M-k}) + i (X_k - conj X_{M-k}) e^{+2 pi i k/N}
        for (int k = 0; k < _m; k++)
        {
            T ar = interleavedBins[2 * k], ai = k == 0 ? T.Zero : interleavedBins[2 * k + 1];
            int j = _m - k;
            T br = interleavedBins[2 * j], bi = j == _m ? T.Zero : -interleavedBins[2 * j + 1];
            T er = ar + br, ei = ai + bi;
            T dr = ar - br, di = ai - bi;
            T tr = _twRe[k], ti = _twIm[k];
            T or = dr * tr - di * ti, oi = dr * ti + di * tr;
            zr[k] = er - oi;
            zi[k] = ei + or;
        }
        var (rr, ri) = _complex.Transform(zr, zi);
        for (int t = 0; t < _m; t++)
        {
            output[2 * t] = rr[t];
            output[2 * t + 1] = ri[t];
        }
    }

    /// <summary>
    /// X_k = sum_t x[t] e^{-2 pi i k t / N} for k = 0..N/2 (numpy's rfft), written as N/2+1 interleaved (re, im)
    /// pairs. The even and odd samples form one complex sequence of length M, transformed by the same
    /// Stockham passes (a forward transform is the conjugate of the inverse of the conjugate) and unpacked.
    /// </summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> interleavedBins)
    {
        if (input.Length < _n) throw new ArgumentException("input shorter than N", nameof(input));
        if (interleavedBins.Length < 2 * (_m + 1)) throw new ArgumentException("need room for N/2+1 complex bins", nameof(interleavedBins));
        var zr = _aRe; var zi = _aIm;
        for (int t = 0; t < _m; t++)
        {
            zr[t] = input[2 * t];
            zi[t] = -input[2 * t + 1];
        }
        var (rr, ri) = _complex.Transform(zr, zi);
        // Z_k = rr[k] - i ri[k]; with E = (Z_k + conj Z_{M-k}) / 2 (the even samples' transform) and
        // O = (Z_k - conj Z_{M-k}) / 2i (the odd samples'), X_k = E + e^{-2 pi i k/N} O
        for (int k = 0; k <= _m; k++)
        {
            int a = k == _m ? 0 : k, b = k == 0 ? 0 : _m - k;
            T zkr = rr[a], zki = -ri[a];
            T zjr = rr[b], zji = ri[b];   // conj Z_{M-k}
            T er = Half * (zkr + zjr), ei = Half * (zki + zji);
            T or = Half * (zki - zji), oi = -Half * (zkr - zjr);
            T tr, ti;
            if (k == _m) { tr = -T.One; ti = T.Zero; }
            else { tr = _twRe[k]; ti = -_twIm[k]; }
            interleavedBins[2 * k] = er + (or * tr - oi * ti);
            interleavedBins[2 * k + 1] = ei + (or * ti + oi * tr);
        }
    }

    private T[]? _split;

    /// <summary><see cref="Forward(ReadOnlySpan{T}, Span{T})"/> into separate real and imaginary parts (N/2+1 each).</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> re, Span<T> im)
    {
        if (re.Length < _m + 1 || im.Length < _m + 1) throw new ArgumentException("need room for N/2+1 bins");
        _split ??= new T[2 * (_m + 1)];
        Forward(input, _split);
        for (int k = 0; k <= _m; k++) { re[k] = _split[2 * k]; im[k] = _split[2 * k + 1]; }
    }

    /// <summary><see cref="Inverse(ReadOnlySpan{T}, Span{T})"/> from separate real and imaginary parts (N/2+1 each).</summary>
    public void Inverse(ReadOnlySpan<T> re, ReadOnlySpan<T> im, Span<T> output)
    {
        if (re.Length < _m + 1 || im.Length < _m + 1) throw new ArgumentException("need N/2+1 bins");
        _split ??= new T[2 * (_m + 1)];
        for (int k = 0; k <= _m; k++) { _split[2 * k] = re[k]; _split[2 * k + 1] = im[k]; }
        Inverse(_split, output);
    }
}
