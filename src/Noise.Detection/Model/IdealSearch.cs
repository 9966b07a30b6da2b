namespace Noise.Detection.Model;

/// <summary>
/// What an ideal search could reach on a glitch, for report.json's bins beside the pipelines: a matched filter
/// with a bank of N exact templates of the glitch's family in Gaussian noise, held to the same 1 false alarm an
/// hour. A short transient gives about 3600 s x 100 Hz = 3.6e5 independent tries an hour per template, so the
/// threshold is rho*^2 / 2 = ln(3.6e5 N) (the statistic |z|^2 of a template of unknown phase is chi-squared with 2
/// degrees of freedom), and a glitch of optimal SNR rho is found with the Rice (Marcum Q) tail above it. N is 100
/// for the sine-Gaussian-like families (their frequencies, Qs and durations need at least that many) and 1e5 for
/// scattered-light arches (templates 1/(2 duration) apart in frequency and as finely in duration, per harmonic).
/// An upper bound on what any pipeline reaches there, not a pipeline.
/// </summary>
public static class IdealSearch
{
    public const double TriesPerHourPerTemplate = 3.6e5;

    public static double Templates(string family) => family == "Scattered_Light" ? 1e5 : 100;

    /// <summary>Probability that the ideal search finds a glitch of optimal SNR rho at the given false-alarm rate per hour.</summary>
    public static double Efficiency(string family, double snr, double farPerHour = 1)
    {
        double threshold = 2 * Math.Log(TriesPerHourPerTemplate * Templates(family) / farPerHour);
        return NonCentralChiSquaredTail(2, snr * snr, threshold);
    }

    /// <summary>P(X &gt; x) for X non-central chi-squared with k degrees of freedom and non-centrality lambda: a Poisson mixture of central tails.</summary>
    public static double NonCentralChiSquaredTail(int k, double lambda, double x)
    {
        if (x <= 0) return 1;
        double half = lambda / 2;
        if (half <= 0) return UpperGamma(k / 2.0, x / 2);
        double Weight(int j) => Math.Exp(-half + j * Math.Log(half) - LogGamma(j + 1));
        // the Poisson weights from their mode outwards, until they no longer matter
        int mode = (int)Math.Floor(half);
        double sum = 0;
        for (int j = mode; ; j++)
        {
            double w = Weight(j);
            sum += w * UpperGamma(k / 2.0 + j, x / 2);
            if (w < 1e-17 && j > mode + 5) break;
        }
        for (int j = mode - 1; j >= 0; j--)
        {
            double w = Weight(j);
            sum += w * UpperGamma(k / 2.0 + j, x / 2);
            if (w < 1e-17) break;
        }
        return Math.Clamp(sum, 0, 1);
    }

    /// <summary>The regularised upper incomplete gamma function Q(a, x) (series below a + 1, continued fraction above; Numerical Recipes' method).</summary>
    public static double UpperGamma(double a, double x)
    {
        if (x <= 0) return 1;
        if (x < a + 1)
        {
            double term = 1 / a, sum = term;
            for (int n = 1; n < 10_000; n++)
            {
                term *= x / (a + n);
                sum += term;
                if (term < sum * 1e-16) break;
            }
            return Math.Max(0, 1 - sum * Math.Exp(-x + a * Math.Log(x) - LogGamma(a)));
        }
        double b = x + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d;
        for (int i = 1; i < 10_000; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < 1e-300) d = 1e-300;
            c = b + an / c;
            if (Math.Abs(c) < 1e-300) c = 1e-300;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x + a * Math.Log(x) - LogGamma(a)) * h;
    }

    /// <summary>ln Gamma(x) for x &gt; 0 (Lanczos, g = 7).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        double[] c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        x -= 1;
        double a = c[0], t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }
}
