using Noise.Core;

namespace Noise.IO.Tests;

public class WriterTests
{
    [Theory]
    [InlineData("parquet")]
    [InlineData("hdf5")]
    public void RoundTripsSamplesAndMetadata(string format)
    {
        var dir = IoTestSupport.TempDir();
        int n = (1 << 20) + 12345;           // more than one row group / slab, with a remainder
        var x = IoTestSupport.Ramp(n);
        var path = Path.Combine(dir, "s." + format);
        using (IStrainWriter w = format == "parquet" ? new ParquetStrainWriter(path, IoTestSupport.Meta(n)) : new GwoscHdf5Writer(path, IoTestSupport.Meta(n)))
        {
            // uneven appends, as the engine's blocks are
            w.Append(x.AsSpan(0, 1000));
            w.Append(x.AsSpan(1000, 700_000));
            w.Append(x.AsSpan(701_000));
            w.Complete();
        }
        var back = StrainReader.Read(path);
        Assert.Equal(4096, back.SampleRate);
        Assert.Equal(1238166018, back.GpsStart);
        Assert.Equal("V1:Hrec_hoft_16384Hz", back.Channel);
        Assert.Equal(n, back.Data.Length);
        for (int i = 0; i < n; i += 997) Assert.Equal(x[i], (float)back.Data[i]);
        Assert.Empty(Directory.GetFiles(dir, ".*partial*"));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("hdf5")]
    public void AnUnfinishedWriterLeavesNothingUnderTheFinalName(string format)
    {
        var dir = IoTestSupport.TempDir();
        var path = Path.Combine(dir, "s." + format);
        using (IStrainWriter w = format == "parquet" ? new ParquetStrainWriter(path, IoTestSupport.Meta(5000)) : new GwoscHdf5Writer(path, IoTestSupport.Meta(5000)))
        {
            w.Append(IoTestSupport.Ramp(100));
            Assert.Throws<InvalidOperationException>(w.Complete);   // 100 of 5000 samples
        }
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void ParquetCarriesTheDocumentedKeyValueMetadata()
    {
        var meta = ParquetStrainWriter.MetadataFor(IoTestSupport.Meta(10));
        foreach (var key in new[] { "noise.schema_version", "channel", "sample_rate", "gps_start", "unit", "seed", "scenario_hash", "software" })
            Assert.True(meta.ContainsKey(key), key);
    }

    [Fact]
    public void StalePartialFilesFromKilledRunsAreCleaned()
    {
        var dir = IoTestSupport.TempDir();
        var stale = Path.Combine(dir, ".x.hdf5.partial-999999999-abcd1234");
        File.WriteAllText(stale, "half");
        Assert.Equal(1, AtomicFile.CleanStale(dir));
        Assert.False(File.Exists(stale));
    }
}
