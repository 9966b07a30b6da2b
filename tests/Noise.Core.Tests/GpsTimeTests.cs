namespace Noise.Core.Tests;

public class GpsTimeTests
{
    [Fact]
    public void ParsesExactlyAndConvertsToSamples()
    {
        var t = GpsTime.Parse("1238166018.5");
        Assert.Equal(new GpsTime(1238166018, 500_000_000), t);
        Assert.Equal(1238166018L * 16384 + 8192, t.ToSampleIndex(16384));
        Assert.Equal(t, GpsTime.FromSampleIndex(1238166018L * 16384 + 8192, 16384));
        Assert.Equal("1238166018.5", t.ToString());
    }

    [Fact]
    public void OffSampleTimesAreRejected()
    {
        Assert.Throws<NoiseInputException>(() => GpsTime.Parse("1238166018.00001").ToSampleIndex(16384));
    }
}
