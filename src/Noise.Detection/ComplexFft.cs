using System.Numerics;
using Noise.Core;

namespace Noise.Detection;

/// <summary>In-place complex FFT of power-of-two length on <see cref="Complex"/> arrays (double precision), through <see cref="StockhamFft{T}"/>.</summary>
public static class ComplexFft
{
    /// <summary>Inverse transform, unnormalised: x[t] = sum_k X[k] e^{+2 pi i k t / n}.</summary>
    public static void Inverse(Complex[] data) => Transform(data, conjugate: false);

    /// <summary>Forward transform, X[k] = sum_t x[t] e^{-2 pi i k t / n}: the conjugate of the inverse of the conjugate.</summary>
    public static void Forward(Complex[] data) => Transform(data, conjugate: true);

    private static void Transform(Complex[] a, bool conjugate)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = a.Length;
        if (n < 2) return;
        if (!BitOperations.IsPow2(n)) throw new ArgumentException("length must be a power of two", nameof(a));
        var re = new double[n];
        var im = new double[n];
        double sign = conjugate ? -1 : 1;
        for (int i = 0; i < n; i++) { re[i] = a[i].Real; im[i] = sign * a[i].Imaginary; }
        var (rr, ri) = StockhamFft<double>.ForThread(n).Transform(re, im);
        for (int i = 0; i < n; i++) a[i] = new Complex(rr[i], sign * ri[i]);
    }
}
