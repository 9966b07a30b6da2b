namespace Noise.Core;

/// <summary>Closed-form noise models a scenario can name instead of a curve file.</summary>
public static class AnalyticPsd
{
    public static readonly IReadOnlyList<string> Models = ["aligo-zdhp-fit", "white"];

    /// <summary>
    /// Tabulates a model on a log grid from 1 Hz to <paramref name="fMax"/>.
    /// aligo-zdhp-fit: Ajith (2011, PRD 84 084037, Eq. 4.7) fit to Advanced LIGO zero-detuned high power,
    /// S(f) = 1e-49 [x^-4.14 - 5 x^-2 + 111 (1 - x^2 + x^4/2) / (1 + x^2/2)], x = f / 215 Hz.
    /// white: S(f) = 1 (scale it with psd.scale).
    /// </summary>
    public static PsdCurve Tabulate(string model, double fMax)
    {
        const int points = 4000;
        var f = new double[points];
        var s = new double[points];
        double lmin = 0, lmax = Math.Log10(Math.Max(fMax, 10) * 1.01);
        for (int i = 0; i < points; i++)
        {
            f[i] = Math.Pow(10, lmin + (lmax - lmin) * i / (points - 1));
            s[i] = Evaluate(model, f[i]);
        }
        return new PsdCurve(f, s, "model:" + model);
    }

    public static double Evaluate(string model, double f) => model switch
    {
        "aligo-zdhp-fit" => AligoFit(f),
        "white" => 1.0,
        _ => throw new NoiseInputException($"unknown PSD model '{model}' (known: {string.Join(", ", Models)})"),
    };

    private static double AligoFit(double f)
    {
        double x = f / 215.0, x2 = x * x;
        return 1e-49 * (Math.Pow(x, -4.14) - 5 / x2 + 111 * (1 - x2 + x2 * x2 / 2) / (1 + x2 / 2));
    }
}
