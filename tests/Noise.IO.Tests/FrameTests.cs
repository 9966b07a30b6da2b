using Noise.Core;
using Noise.IO.Frames;
using PureHDF;

namespace Noise.IO.Tests;

/// <summary>Reading GWF frames written by others (FrameL): gwpy's test frame, whose samples GWOSC's HDF copy holds too.</summary>
public class FrameTests
{
    private static string Frame => Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "tests", "data", "frames", "HLV-HW100916-968654552-1.gwf");
    private static string HdfCopy => Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "..", "shared", "data", "strain", "HLV-HW100916-968654552-1.hdf");

    [Fact]
    public void ARealFrameFileGivesItsChannelsRatesAndSpan()
    {
        var all = GwfReader.ReadAll(Frame);
        Assert.Equal(["H1:LDAS-STRAIN", "L1:LDAS-STRAIN", "V1:h_16384Hz"], all.Select(c => c.Name));
        foreach (var c in all)
        {
            Assert.Equal("proc", c.Kind);
            Assert.Equal(16384, c.SampleRate);
            Assert.Equal(968654552, c.GpsStart);
            Assert.Equal(16384, c.Data.Length);
            Assert.Equal("strain", c.Unit);
        }
        // the one channel asked for; a missing one and an unnamed one of several are one clear error each
        Assert.Equal("V1:h_16384Hz", GwfReader.Read(Frame, "V1:h_16384Hz").Name);
        var e = Assert.Throws<NoiseInputException>(() => GwfReader.Read(Frame, "V1:NOPE"));
        Assert.Contains("no channel 'V1:NOPE'", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<NoiseInputException>(() => StrainReader.Read(Frame));
        Assert.Contains("3 channels", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Every sample equals the HDF5 copy of the same data (read by h5py's format through PureHDF).</summary>
    [SkippableFact]
    public void EverySampleEqualsTheHdfCopy()
    {
        Skip.IfNot(File.Exists(HdfCopy), "../shared/data/strain is not beside this checkout");
        using var h = H5File.OpenRead(HdfCopy);
        foreach (var c in GwfReader.ReadAll(Frame))
        {
            var reference = h.Dataset(c.Name).Read<double[]>();
            Assert.Equal(reference.Length, c.Data.Length);
            Assert.True(reference.AsSpan().SequenceEqual(c.Data), c.Name);
        }
    }

    [Fact]
    public void ACorruptOrTruncatedFrameIsOneClearError()
    {
        var dir = IoTestSupport.TempDir();
        var bytes = File.ReadAllBytes(Frame);
        // a flipped byte inside the first channel's compressed data: its structure's checksum no longer matches
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 3] ^= 0x40;
        var f = Path.Combine(dir, "flipped.gwf");
        File.WriteAllBytes(f, flipped);
        var e = Assert.Throws<NoiseInputException>(() => GwfReader.ReadAll(f));
        Assert.Contains("checksum error", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(f, e.Message, StringComparison.Ordinal);
        // cut short
        var t = Path.Combine(dir, "truncated.gwf");
        File.WriteAllBytes(t, bytes[..(bytes.Length / 2)]);
        e = Assert.Throws<NoiseInputException>(() => GwfReader.ReadAll(t));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        // not a frame at all
        var n = Path.Combine(dir, "not.gwf");
        File.WriteAllText(n, "IGWX this is not a frame file, but long enough to hold a header");
        e = Assert.Throws<NoiseInputException>(() => GwfReader.ReadAll(n));
        Assert.Contains("not a frame file", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The POSIX cksum CRC, as `cksum` prints it for "123456789" (930766865, the algorithm's check value).</summary>
    [Fact]
    public void TheChecksumIsPosixCksum() => Assert.Equal(930766865u, GwfReader.Cksum("123456789"u8));
}

public class FrameWriterTests
{
    /// <summary>
    /// A frame written here reads back through the reader (every structure's checksum, the header's and the
    /// file's verified) with the same channels, rates, span and every float32 sample, and the same data give the
    /// same bytes. An independent reader (FrameL's FrDump or frameCPP) has not checked these files yet.
    /// </summary>
    [Fact]
    public void AWrittenFrameReadsBackExactlyAndIsByteStable()
    {
        var dir = IoTestSupport.TempDir();
        var rng = new Random(5);
        var strain = Enumerable.Range(0, 16384 * 2).Select(_ => (float)(1e-21 * (rng.NextDouble() - 0.5))).ToArray();
        var state = Enumerable.Range(0, 2).Select(i => (float)(i == 0 ? 3 : 1)).ToArray();
        var channels = new List<GwfOutputChannel> { new("V1:Hrec_hoft_16384Hz", 16384, strain), new("V1:DQ_ANALYSIS_STATE_VECTOR", 1, state, "") };
        var a = Path.Combine(dir, "V-V1_NOISE-1238166018-2.gwf");
        GwfWriter.Write(a, new GpsTime(1238166018, 0), 2, channels, "noise test");
        var back = GwfReader.ReadAll(a);
        Assert.Equal(["V1:Hrec_hoft_16384Hz", "V1:DQ_ANALYSIS_STATE_VECTOR"], back.Select(c => c.Name));
        Assert.Equal(16384, back[0].SampleRate);
        Assert.Equal(1, back[1].SampleRate);
        Assert.Equal(1238166018, back[0].GpsStart);
        Assert.Equal(strain.Select(x => (double)x), back[0].Data);
        Assert.Equal([3.0, 1.0], back[1].Data);
        var b = Path.Combine(dir, "again.gwf");
        GwfWriter.Write(b, new GpsTime(1238166018, 0), 2, channels, "noise test");
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Equal(37, GwfWriter.TaiMinusUtc(1238166018));
        Assert.Empty(Directory.GetFiles(dir, ".*"));
    }
}

public class FrameLibraryFileTests
{
    private static string Frame => Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "tests", "data", "frames", "FrameL-test-925484675-10.gwf");

    /// <summary>
    /// The Frame Library's own test file, ten frames of FrAdcData (zero-suppressed 16-bit differences), a float
    /// FrProcData and more, against what its FrDump prints for the same file (tests/data/frames/NOTICE.md): the
    /// channels, their rates and span joined over the ten frames, the first samples of the 200 Hz ADCs, and the
    /// first frame's minimum, mean and maximum of the 2 kHz channels.
    /// </summary>
    [Fact]
    public void TheFrameLibrarysTestFileReadsAsItsFrDumpShowsIt()
    {
        var all = GwfReader.ReadAll(Frame).ToDictionary(c => c.Name);
        Assert.Equal(9, all.Count);
        Assert.All(all.Values, c => Assert.Equal(925484675, c.GpsStart));
        Assert.All(all.Values, c => Assert.Equal(10 * c.SampleRate, c.Data.Length));
        Assert.Equal(2000, all["fastAdc0"].SampleRate);
        Assert.Equal(200, all["Adc0"].SampleRate);
        Assert.Equal("adc", all["Adc0"].Kind);
        Assert.Equal("proc", all["fastProc"].Kind);
        Assert.Equal([11230.0, 2936, 29718, 3245, -30943, -687, -29906, 7457, 31600, 32557], all["Adc0"].Data[..10]);
        Assert.Equal([-26909.0, 16844, 11277, 26940, 12428, 26470, -17927, -31754, 17688, -6710], all["Adc1"].Data[..10]);
        Assert.Equal([15878.0, -31847, -22990, -25591, -27248, -21331, -16820, 1973, 17124, 12593], all["Adc3"].Data[..10]);
        Assert.Equal([-116.0, -288, -370, -300, -278, -310, -278, -296, -194, -170], all["fastProc"].Data[..10]);
        var bad = all["Bad_data_(data[0]=nan)"].Data;
        Assert.True(double.IsInfinity(bad[0]) && double.IsNaN(bad[1]));
        foreach (var (name, min, mean, max) in new[] { ("fastAdc0", -199.0, 97.70, 398.0), ("fastAdc1", -196.0, 100.08, 399.0), ("fastProc", -392.0, 200.161, 798.0) })
        {
            var first = all[name].Data[..2000];
            Assert.Equal(min, first.Min());
            Assert.Equal(max, first.Max());
            Assert.Equal(mean, first.Average(), 2);
        }
        // the last frame's Adc0 (FrDump: min -32702, mean 1966.14, max 32557)
        var last = all["Adc0"].Data[^200..];
        Assert.Equal(-32702, last.Min());
        Assert.Equal(32557, last.Max());
        Assert.Equal(1966.14, last.Average(), 2);
    }
}
