using Noise.Simulation.Kernels;

namespace Noise.Simulation.Tests;

public class PhiloxTests
{
    [Theory]
    // Random123's published known-answer vectors for Philox4x32-10 (tests/kat_vectors)
    [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void MatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
    {
        Philox.Generate(c0, c1, c2, c3, k0, k1, out var r0, out var r1, out var r2, out var r3);
        Assert.Equal((e0, e1, e2, e3), (r0, r1, r2, r3));
    }
}

public class GaussianMathTests
{
    [Fact]
    public void LogIsAccurateOverTheWholeRange()
    {
        double worst = 0;
        for (uint v = 1; v <= 1u << 24; v = v < 4096 ? v + 1 : v + 997)
        {
            double exact = -2 * Math.Log(v / 16777216.0);
            double got = GaussianMath.MinusTwoLogUnit(v);
            worst = Math.Max(worst, Math.Abs(got - exact) / Math.Max(1e-3, exact));
        }
        Assert.Equal(0.0, GaussianMath.MinusTwoLogUnit(1u << 24), 6);
        Assert.True(worst < 2e-6, $"worst relative error {worst}");
    }

    [Fact]
    public void SinCosAreAccurateOnTheCircle()
    {
        double worst = 0;
        for (uint w = 0; w < 1u << 24; w += 131)
        {
            GaussianMath.SinCosTurn(w, out var s, out var c);
            double a = 2 * Math.PI * w / 16777216.0;
            worst = Math.Max(worst, Math.Max(Math.Abs(s - Math.Sin(a)), Math.Abs(c - Math.Cos(a))));
        }
        Assert.True(worst < 1e-6, $"worst absolute error {worst}");
    }

    [Fact]
    public void BoxMullerGivesStandardNormals()
    {
        const int n = 1 << 20;
        double s1 = 0, s2 = 0, s4 = 0;
        int beyond3 = 0;
        for (uint i = 0; i < n / 2; i++)
        {
            Philox.Generate(i, 0, 0, 0, 7, 9, out var a, out var b, out _, out _);
            GaussianMath.BoxMuller(a, b, out var g0, out var g1);
            foreach (var g in new[] { g0, g1 })
            {
                s1 += g; s2 += g * g; s4 += (double)g * g * g * g;
                if (Math.Abs(g) > 3) beyond3++;
            }
        }
        Assert.InRange(s1 / n, -0.005, 0.005);
        Assert.InRange(s2 / n, 0.995, 1.005);
        Assert.InRange(s4 / n, 2.95, 3.05);
        // P(|g| > 3) = 0.0026998
        Assert.InRange(beyond3 / (double)n, 0.0026998 * 0.93, 0.0026998 * 1.07);
    }
}
