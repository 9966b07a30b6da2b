using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Noise.Core;

/// <summary>
/// Unnormalised inverse complex FFT, x[t] = sum_k X[k] e^{+2 pi i k t / M}, of a power-of-two length M in split
/// (real and imaginary arrays) format: a radix-2 Stockham transform whose passes are vectorised with Vector256
/// once a butterfly's stride holds a whole vector. The inner transform of <see cref="RealFft{T}"/>, and the
/// Q-transform's rows (each row's band inverse-transformed on its own short grid). Instances hold scratch
/// buffers: use one per thread (<see cref="ForThread"/>). No fused multiply-add and no threading inside, so the
/// bits depend on the input alone.
/// </summary>
public sealed class StockhamFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _m;
    private readonly T[] _wRe;  // e^{+2 pi i j / M}, j < M/2: the butterfly twiddles
    private readonly T[] _wIm;
    private readonly T[] _bRe, _bIm;

    [ThreadStatic] private static Dictionary<int, StockhamFft<T>>? _perThread;

    public StockhamFft(int m)
    {
        if (m < 2 || !BitOperations.IsPow2(m)) throw new ArgumentException("FFT length must be a power of two >= 2", nameof(m));
        _m = m;
        _wRe = new T[_m / 2];
        _wIm = new T[_m / 2];
        for (int j = 0; j < _m / 2; j++)
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
