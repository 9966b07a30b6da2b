using System.Numerics;

namespace Noise.Detection;

/// <summary>In-place radix-2 complex FFT of power-of-two length (double precision), for Q-transform rows.</summary>
public static class ComplexFft
{
    /// <summary>Inverse transform, unnormalised: x[t] = sum_k X[k] e^{+2 pi i k t / n}.</summary>
    public static void Inverse(Complex[] data) => Transform(data, +1);

    public static void Forward(Complex[] data) => Transform(data, -1);

    private static void Transform(Complex[] a, int sign)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = a.Length;
        if (n < 2) return;
        if (!BitOperations.IsPow2(n)) throw new ArgumentException("length must be a power of two", nameof(a));
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) (a[i], a[j]) = (a[j], a[i]);
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            double ang = sign * 2 * Math.PI / len;
            var wl = new Complex(Math.Cos(ang), Math.Sin(ang));
            for (int i = 0; i < n; i += len)
            {
                var w = Complex.One;
                for (int k = 0; k < len / 2; k++)
                {
                    var u = a[i + k];
                    var v = a[i + k + len / 2] * w;
                    a[i + k] = u + v;
                    a[i + k + len / 2] = u - v;
                    w *= wl;
                }
            }
        }
    }
}
