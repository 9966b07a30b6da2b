namespace Noise.Core;

/// <summary>Order statistics without sorting.</summary>
public static class Selection
{
    /// <summary>The k-th smallest value (0-based) of <paramref name="a"/>, which it reorders: quickselect, median-of-three pivots.</summary>
    public static double Kth(Span<double> a, int k)
    {
        if ((uint)k >= (uint)a.Length) throw new ArgumentOutOfRangeException(nameof(k));
        int lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            int mid = lo + (hi - lo) / 2;
            // median of three to the middle, then Hoare partition around it
            if (a[mid] < a[lo]) (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi] < a[lo]) (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi] < a[mid]) (a[hi], a[mid]) = (a[mid], a[hi]);
            double pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }

    /// <summary>
    /// The median of <paramref name="a"/> (which it reorders) as a sort would give it: the middle value, or the mean
    /// of the two middle values for an even count.
    /// </summary>
    public static double Median(Span<double> a)
    {
        int n = a.Length;
        if (n == 0) throw new ArgumentException("the median of nothing", nameof(a));
        double hi = Kth(a, n / 2);
        if (n % 2 == 1) return hi;
        // after the selection everything below n/2 is at most a[n/2]: the lower middle is their largest
        double lo = a[0];
        for (int i = 1; i < n / 2; i++) if (a[i] > lo) lo = a[i];
        return 0.5 * (lo + hi);
    }
}
