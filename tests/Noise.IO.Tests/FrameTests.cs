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
