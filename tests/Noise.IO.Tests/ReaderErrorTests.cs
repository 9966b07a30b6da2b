using Noise.Core;

namespace Noise.IO.Tests;

public class ReaderErrorTests
{
    [Theory]
    [InlineData("x.parquet", "not parquet at all")]
    [InlineData("x.hdf5", "not hdf5 either")]
    [InlineData("x.wav", "RIFF")]
    public void UnreadableFilesGiveOneClearError(string name, string content)
    {
        var p = Path.Combine(IoTestSupport.TempDir(), name);
        File.WriteAllText(p, content);
        var e = Assert.Throws<NoiseInputException>(() => StrainReader.Read(p));
        Assert.StartsWith(p, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GwoscAsciiNeedsItsHeader()
    {
        var dir = IoTestSupport.TempDir();
        var good = Path.Combine(dir, "g.txt");
        File.WriteAllText(good, "# starting GPS 1126259446 duration 1\n# sample rate 4 Hz\n1e-21\n2e-21\n3e-21\n4e-21\n");
        var s = StrainReader.Read(good);
        Assert.Equal(4, s.SampleRate);
        Assert.Equal(1126259446, s.GpsStart);
        Assert.Equal(4, s.Data.Length);
        var bad = Path.Combine(dir, "b.txt");
        File.WriteAllText(bad, "1e-21\n2e-21\n");
        Assert.Throws<NoiseInputException>(() => StrainReader.Read(bad));
    }
}
