using Noise.Simulation.Kernels;

namespace Noise.Simulation.Transients;

/// <summary>
/// Host-side uniforms from Philox keyed by the seed, with a stream identity in the counter: the numbers for
/// (stream, a, b) never depend on what else was drawn, so event populations are the same for any run range.
/// </summary>
public sealed class CounterRng(long seed, uint stream, uint a, uint b)
{
    private uint _counter;
    private uint _r1, _r2, _r3;
    private int _left;

    /// <summary>Uniform in (0, 1).</summary>
    public double NextUniform()
    {
        if (_left == 0)
        {
            Philox.Generate(_counter++, a, b, stream ^ 0x7EA5u, (uint)seed, (uint)((ulong)seed >> 32), out var r0, out _r1, out _r2, out _r3);
            _left = 3;
            return ToUnit(r0);
        }
        _left--;
        return ToUnit(_left == 2 ? _r1 : _left == 1 ? _r2 : _r3);
    }

    public double Uniform(double min, double max) => min + (max - min) * NextUniform();

    /// <summary>Poisson count by inversion (small means: rates per arrival window are well below 100).</summary>
    public int Poisson(double mean)
    {
        double u = NextUniform(), p = Math.Exp(-mean), cdf = p;
        int k = 0;
        while (u > cdf && k < 10_000) { k++; p *= mean / k; cdf += p; }
        return k;
    }

    /// <summary>Power law p(x) ~ x^-alpha on [min, max] by inversion.</summary>
    public double PowerLaw(double min, double max, double alpha)
    {
        double u = NextUniform();
        if (Math.Abs(alpha - 1) < 1e-9) return min * Math.Pow(max / min, u);
        double e = 1 - alpha;
        return Math.Pow(Math.Pow(min, e) + u * (Math.Pow(max, e) - Math.Pow(min, e)), 1 / e);
    }

    private static double ToUnit(uint r) => (r + 0.5) / 4294967296.0;
}
