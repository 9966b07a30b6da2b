using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Noise.Core;

/// <summary>
/// Unnormalised inverse complex FFT, x[t] = sum_k X[k] e^{+2 pi i k t / M}, of a power-of-two length M in split
/// (real and imaginary arrays) format: a Stockham transform (radix-4 passes in float64, radix-2 in float32, see
/// <see cref="Radix4"/>) whose passes are vectorised with Vector256
/// once a butterfly's stride holds a whole vector. The inner transform of <see cref="RealFft{T}"/>, and the
/// Q-transform's rows (each row's band inverse-transformed on its own short grid). Instances hold scratch
/// buffers: use one per thread (<see cref="ForThread"/>). No fused multiply-add and no threading inside, so the
/// bits depend on the input alone.
/// </summary>
public sealed class StockhamFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _m;
    // e^{+2 pi i j / M}: j < M/2 for the radix-2 passes, j < 3M/4 where radix-4 passes run (their w^3p)
    private readonly T[] _wRe, _wIm;
    private readonly T[] _bRe, _bIm;

    /// <summary>
    /// Float64 runs radix-4 passes (half as many sweeps over memory: the conditioning's 2^21-point transforms and
    /// the Q rows are memory-bound); float32 keeps radix-2, whose rounding the twin's bits are made of.
    /// </summary>
    private static bool Radix4 => typeof(T) == typeof(double);

    [ThreadStatic] private static Dictionary<int, StockhamFft<T>>? _perThread;

    public StockhamFft(int m)
    {
        if (m < 2 || !BitOperations.IsPow2(m)) throw new ArgumentException("FFT length must be a power of two >= 2", nameof(m));
        _m = m;
        int twiddles = Radix4 && _m >= 4 ? 3 * (_m / 4) : _m / 2;
        _wRe = new T[twiddles];
        _wIm = new T[twiddles];
        for (int j = 0; j < twiddles; j++)
        {
            double a = 2 * Math.PI * j / _m;
            _wRe[j] = T.CreateTruncating(Math.Cos(a));
            _wIm[j] = T.CreateTruncating(Math.Sin(a));
        }
        _bRe = new T[_m];
        _bIm = new T[_m];
    }

    public int Length => _m;

    /// <summary>This thread's transform of length <paramref name="m"/>, built on first use.</summary>
    public static StockhamFft<T> ForThread(int m)
    {
        _perThread ??= [];
        if (!_perThread.TryGetValue(m, out var fft)) _perThread[m] = fft = new StockhamFft<T>(m);
        return fft;
    }

    /// <summary>The unnormalised inverse transform of (re, im) in place.</summary>
    public void Inverse(T[] re, T[] im)
    {
        ArgumentNullException.ThrowIfNull(re);
        ArgumentNullException.ThrowIfNull(im);
        var (rr, ri) = Transform(re, im);
        if (!ReferenceEquals(rr, re))
        {
            rr.AsSpan(0, _m).CopyTo(re);
            ri.AsSpan(0, _m).CopyTo(im);
        }
    }

    /// <summary>
    /// The unnormalised inverse transform of (xr, xi), ping-ponging with this instance's scratch: the result is in
    /// whichever pair the last pass wrote, (xr, xi) or the scratch, so it is valid until the next call. Both input
    /// arrays are overwritten.
    /// </summary>
    public (T[] Re, T[] Im) Transform(T[] xr, T[] xi)
    {
        if (xr.Length < _m || xi.Length < _m) throw new ArgumentException($"need {_m} values");
        T[] yr = _bRe, yi = _bIm;
        int n = _m, s = 1;
        if (Radix4)
        {
            for (; n >= 4; n /= 4, s *= 4)
            {
                if (s >= Vector256<T>.Count) Stage4Vector(xr, xi, yr, yi, n / 4, s);
                else Stage4Scalar(xr, xi, yr, yi, n / 4, s);
                (xr, yr) = (yr, xr);
                (xi, yi) = (yi, xi);
            }
        }
        while (n > 1)
        {
            int half = n / 2;
            if (s >= Vector256<T>.Count) StageVector(xr, xi, yr, yi, half, s);
            else StageScalar(xr, xi, yr, yi, half, s);
            (xr, yr) = (yr, xr);
            (xi, yi) = (yi, xi);
            n = half;
            s *= 2;
        }
        return (xr, xi);
    }

    /// <summary>
    /// One radix-4 pass: for p &lt; n/4 the inputs a, b, c, d at p + k n/4 become, at 4p + k, a + b + c + d,
    /// w^p (a - c + i (b - d)), w^2p (a + c - b - d) and w^3p (a - c - i (b - d)), w = e^{+2 pi i / n}.
    /// </summary>
    private void Stage4Scalar(T[] xr, T[] xi, T[] yr, T[] yi, int quarter, int s)
    {
        for (int p = 0; p < quarter; p++)
        {
            T w1r = _wRe[p * s], w1i = _wIm[p * s], w2r = _wRe[2 * p * s], w2i = _wIm[2 * p * s], w3r = _wRe[3 * p * s], w3i = _wIm[3 * p * s];
            int i0 = s * p, i1 = s * (p + quarter), i2 = s * (p + 2 * quarter), i3 = s * (p + 3 * quarter), o = 4 * s * p;
            for (int q = 0; q < s; q++)
            {
                T ar = xr[i0 + q], ai = xi[i0 + q], br = xr[i1 + q], bi = xi[i1 + q];
                T cr = xr[i2 + q], ci = xi[i2 + q], dr = xr[i3 + q], di = xi[i3 + q];
                T apcR = ar + cr, apcI = ai + ci, amcR = ar - cr, amcI = ai - ci;
                T bpdR = br + dr, bpdI = bi + di, bmdR = br - dr, bmdI = bi - di;
                yr[o + q] = apcR + bpdR;
                yi[o + q] = apcI + bpdI;
                T t1r = amcR - bmdI, t1i = amcI + bmdR;
                yr[o + s + q] = t1r * w1r - t1i * w1i;
                yi[o + s + q] = t1r * w1i + t1i * w1r;
                T t2r = apcR - bpdR, t2i = apcI - bpdI;
                yr[o + 2 * s + q] = t2r * w2r - t2i * w2i;
                yi[o + 2 * s + q] = t2r * w2i + t2i * w2r;
                T t3r = amcR + bmdI, t3i = amcI - bmdR;
                yr[o + 3 * s + q] = t3r * w3r - t3i * w3i;
                yi[o + 3 * s + q] = t3r * w3i + t3i * w3r;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Stage4Vector(T[] xr, T[] xi, T[] yr, T[] yi, int quarter, int s)
    {
        ref T rxr = ref xr[0]; ref T rxi = ref xi[0];
        ref T ryr = ref yr[0]; ref T ryi = ref yi[0];
        int vc = Vector256<T>.Count;
        for (int p = 0; p < quarter; p++)
        {
            var w1r = Vector256.Create(_wRe[p * s]); var w1i = Vector256.Create(_wIm[p * s]);
            var w2r = Vector256.Create(_wRe[2 * p * s]); var w2i = Vector256.Create(_wIm[2 * p * s]);
            var w3r = Vector256.Create(_wRe[3 * p * s]); var w3i = Vector256.Create(_wIm[3 * p * s]);
            nuint i0 = (nuint)(s * p), i1 = (nuint)(s * (p + quarter)), i2 = (nuint)(s * (p + 2 * quarter)), i3 = (nuint)(s * (p + 3 * quarter));
            nuint o0 = (nuint)(4 * s * p), o1 = o0 + (nuint)s, o2 = o1 + (nuint)s, o3 = o2 + (nuint)s;
            for (nuint q = 0; q < (nuint)s; q += (nuint)vc)
            {
                var ar = Vector256.LoadUnsafe(ref rxr, i0 + q); var ai = Vector256.LoadUnsafe(ref rxi, i0 + q);
                var br = Vector256.LoadUnsafe(ref rxr, i1 + q); var bi = Vector256.LoadUnsafe(ref rxi, i1 + q);
                var cr = Vector256.LoadUnsafe(ref rxr, i2 + q); var ci = Vector256.LoadUnsafe(ref rxi, i2 + q);
                var dr = Vector256.LoadUnsafe(ref rxr, i3 + q); var di = Vector256.LoadUnsafe(ref rxi, i3 + q);
                var apcR = ar + cr; var apcI = ai + ci; var amcR = ar - cr; var amcI = ai - ci;
                var bpdR = br + dr; var bpdI = bi + di; var bmdR = br - dr; var bmdI = bi - di;
                (apcR + bpdR).StoreUnsafe(ref ryr, o0 + q);
                (apcI + bpdI).StoreUnsafe(ref ryi, o0 + q);
                var t1r = amcR - bmdI; var t1i = amcI + bmdR;
                (t1r * w1r - t1i * w1i).StoreUnsafe(ref ryr, o1 + q);
                (t1r * w1i + t1i * w1r).StoreUnsafe(ref ryi, o1 + q);
                var t2r = apcR - bpdR; var t2i = apcI - bpdI;
                (t2r * w2r - t2i * w2i).StoreUnsafe(ref ryr, o2 + q);
                (t2r * w2i + t2i * w2r).StoreUnsafe(ref ryi, o2 + q);
                var t3r = amcR + bmdI; var t3i = amcI - bmdR;
                (t3r * w3r - t3i * w3i).StoreUnsafe(ref ryr, o3 + q);
                (t3r * w3i + t3i * w3r).StoreUnsafe(ref ryi, o3 + q);
            }
        }
    }

    private void StageScalar(T[] xr, T[] xi, T[] yr, T[] yi, int half, int s)
    {
        for (int p = 0; p < half; p++)
        {
            T wr = _wRe[p * s], wi = _wIm[p * s];
            int i0 = s * p, i1 = s * (p + half), o0 = s * 2 * p, o1 = s * (2 * p + 1);
            for (int q = 0; q < s; q++)
            {
                T ar = xr[i0 + q], ai = xi[i0 + q], br = xr[i1 + q], bi = xi[i1 + q];
                yr[o0 + q] = ar + br;
                yi[o0 + q] = ai + bi;
                T dr = ar - br, di = ai - bi;
                yr[o1 + q] = dr * wr - di * wi;
                yi[o1 + q] = dr * wi + di * wr;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StageVector(T[] xr, T[] xi, T[] yr, T[] yi, int half, int s)
    {
        ref T rxr = ref xr[0]; ref T rxi = ref xi[0];
        ref T ryr = ref yr[0]; ref T ryi = ref yi[0];
        int vc = Vector256<T>.Count;
        for (int p = 0; p < half; p++)
        {
            var wr = Vector256.Create(_wRe[p * s]);
            var wi = Vector256.Create(_wIm[p * s]);
            nuint i0 = (nuint)(s * p), i1 = (nuint)(s * (p + half)), o0 = (nuint)(s * 2 * p), o1 = (nuint)(s * (2 * p + 1));
            for (nuint q = 0; q < (nuint)s; q += (nuint)vc)
            {
                var ar = Vector256.LoadUnsafe(ref rxr, i0 + q);
                var ai = Vector256.LoadUnsafe(ref rxi, i0 + q);
                var br = Vector256.LoadUnsafe(ref rxr, i1 + q);
                var bi = Vector256.LoadUnsafe(ref rxi, i1 + q);
                (ar + br).StoreUnsafe(ref ryr, o0 + q);
                (ai + bi).StoreUnsafe(ref ryi, o0 + q);
                var dr = ar - br;
                var di = ai - bi;
                (dr * wr - di * wi).StoreUnsafe(ref ryr, o1 + q);
                (dr * wi + di * wr).StoreUnsafe(ref ryi, o1 + q);
            }
        }
    }
}
