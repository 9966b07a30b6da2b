namespace Noise.Core.Tests;

public class PsdCurveTests
{
    [Fact]
    public void LoadsAsdAndSquaresIt()
    {
        var dir = TestFiles.TempDir();
        var p = Path.Combine(dir, "c.txt");
        File.WriteAllText(p, "# f asd\n10 2e-23\n100 1e-23\n1000 4e-23\n");
        var c = PsdCurve.Load(p, isAsd: true);
        Assert.Equal(4e-46, c.At(10), 1e-58);
        Assert.Equal(1e-46, c.At(100), 1e-58);
        // log-log interpolation of a power law is exact: S ~ f^-0.602 between 10 and 100 Hz
        double expected = Math.Exp(Math.Log(4e-46) + Math.Log(Math.Sqrt(10)) / Math.Log(10) * (Math.Log(1e-46) - Math.Log(4e-46)));
        Assert.Equal(expected, c.At(Math.Sqrt(10) * 10), expected * 1e-9);
    }

    [Theory]
    [InlineData("10 1e-23\n20\n", "expected two columns")]
    [InlineData("10 1e-23\n20 abc\n", "not a number")]
    [InlineData("10 1e-23\n5 1e-23\n", "strictly increasing")]
    [InlineData("10 1e-23\n20 -1e-23\n", "non-negative")]
    [InlineData("10 1e-23\n", "at least two")]
    [InlineData("", "at least two")]
    public void CorruptOrTruncatedFilesNameTheLine(string content, string message)
    {
        var p = Path.Combine(TestFiles.TempDir(), "bad.txt");
        File.WriteAllText(p, content);
        var e = Assert.Throws<NoiseInputException>(() => PsdCurve.Load(p, true));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains(p, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnalyticAligoFitHasItsKnownMinimum()
    {
        // values of the published formula evaluated independently with Python
        Assert.Equal(1.8165902124584949e-24, Math.Sqrt(AnalyticPsd.Evaluate("aligo-zdhp-fit", 215)), 1e-30);
        Assert.Equal(4.2607463479398836e-23, Math.Sqrt(AnalyticPsd.Evaluate("aligo-zdhp-fit", 20)), 1e-31);
        Assert.Throws<NoiseInputException>(() => AnalyticPsd.Evaluate("nope", 100));
    }
}
