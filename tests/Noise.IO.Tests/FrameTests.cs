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
    public void TheChecksumIsPosixCksum()
    {
        Assert.Equal(930766865u, FrameChecksum.Cksum("123456789"u8));
        // eight bytes at a time and in pieces: the same as one byte at a time, for every length about a word's
        var r = new Random(5);
        var data = new byte[4099];
        r.NextBytes(data);
        foreach (int n in new[] { 0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 79, 80, 81, 1000, 4096, 4099 })
        {
            var span = data.AsSpan(0, n);
            uint bytewise = 0;
            foreach (var b in span) bytewise = (bytewise << 8) ^ Reference((byte)((bytewise >> 24) ^ b));
            for (ulong k = (ulong)n; k != 0; k >>= 8) bytewise = (bytewise << 8) ^ Reference((byte)((bytewise >> 24) ^ (byte)k));
            Assert.Equal(~bytewise, FrameChecksum.Cksum(span));
            int cut = n / 3;
            Assert.Equal(~bytewise, FrameChecksum.Finish(FrameChecksum.Update(FrameChecksum.Update(0, span[..cut]), span[cut..]), (ulong)n));
            // and from the two pieces' own CRCs
            Assert.Equal(~bytewise, FrameChecksum.Finish(FrameChecksum.Combine(FrameChecksum.Update(0, span[..cut]), FrameChecksum.Update(0, span[cut..]), n - cut), (ulong)n));
        }
        // a frame's worth, with a running register to start from, as the writer and reader use it
        var big = new byte[(1 << 20) + 13];
        r.NextBytes(big);
        uint start = 0xDEADBEEF, bw = start;
        foreach (var b in big) bw = (bw << 8) ^ Reference((byte)((bw >> 24) ^ b));
        Assert.Equal(bw, FrameChecksum.Update(start, big));
        static uint Reference(byte i)
        {
            uint c = (uint)i << 24;
            for (int k = 0; k < 8; k++) c = (c & 0x80000000u) != 0 ? (c << 1) ^ 0x04C11DB7u : c << 1;
            return c;
        }
    }
}

public class FrameWriterTests
{
    /// <summary>
    /// A frame written here reads back through the reader (every structure's checksum, the header's and the
    /// file's verified) with the same channels, rates, span and every float32 sample, and the same data give the
    /// same bytes. (FrameL's FrCheck and FrDump, built from public source, read them too: docs/formats.md.)
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
        // the frame names its detector (LALSuite's Virgo site); a prefix without a known site gets none
        var site = Assert.Single(GwfReader.ReadFile(a).Detectors);
        Assert.Equal(("VIRGO", "V1", 0.76151183984, 0.18333805213, 3600), (site.Name, site.Prefix, site.Latitude, site.Longitude, site.LocalTime));
        Assert.Equal(0.33916285222, site.ArmXAzimuth, 6);
        var e1 = Path.Combine(dir, "E-E1_NOISE-1238166018-2.gwf");
        GwfWriter.Write(e1, new GpsTime(1238166018, 0), 2, [new("E1:STRAIN", 16384, strain)], "noise test");
        Assert.Empty(GwfReader.ReadFile(e1).Detectors);
        // a flipped bit among the uncompressed samples (read in place) fails the vector's structure checksum
        var flipped = File.ReadAllBytes(a);
        flipped[flipped.Length / 2] ^= 0x08;
        var bad = Path.Combine(dir, "flipped.gwf");
        File.WriteAllBytes(bad, flipped);
        Assert.Contains("checksum error in the structure", Assert.Throws<Noise.Core.NoiseInputException>(() => GwfReader.ReadAll(bad)).Message, StringComparison.Ordinal);
        File.Delete(bad);
        // stored as it is by default (FrVect compress 0: the samples' own bytes follow the header); gzip on request
        Assert.True(File.ReadAllBytes(a).AsSpan().IndexOf(System.Runtime.InteropServices.MemoryMarshal.AsBytes(strain.AsSpan(0, 64))) > 0);
        var z = Path.Combine(dir, "gzip.gwf");
        GwfWriter.Write(z, new GpsTime(1238166018, 0), 2, channels, "noise test", gzip: true);
        Assert.Equal(back.Select(c => c.Data), GwfReader.ReadAll(z).Select(c => c.Data));
        Assert.NotEqual(File.ReadAllBytes(a).Length, File.ReadAllBytes(z).Length);
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

public class LigoLwTests
{
    private static string Example => Path.Combine(Noise.TestSupport.RepoPaths.RepoRoot(), "..", "shared", "data", "strain", "H1-LDAS_STRAIN-968654552-10.xml.gz");

    /// <summary>The reference data's gstlal_excesspower document: its tables, and its 2052 sngl_burst rows with their first row's values.</summary>
    [SkippableFact]
    public void AnIgwdTriggerDocumentReadsWithItsTablesAndRows()
    {
        Skip.IfNot(File.Exists(Example), "../shared/data/strain is not beside this checkout");
        var tables = LigoLw.Read(Example);
        Assert.Contains("process", tables.Keys);
        Assert.Contains("process_params", tables.Keys);
        Assert.Contains("segment", tables.Keys);
        Assert.Equal(15, tables["process"].Columns.Count);
        Assert.Equal("gstlal_excesspower", tables["process"].Rows.Single()[tables["process"].Column("program")]);
        Assert.Null(tables["process"].Rows.Single()[tables["process"].Column("comment")]);
        var bursts = LigoLw.ReadSnglBurst(Example);
        Assert.Equal(2052, bursts.Count);
        var first = bursts[0];
        Assert.Equal("H1", first.Ifo);
        Assert.Equal("LDAS-STRAIN", first.Channel);
        Assert.Equal("gstlal_excesspower", first.Pipeline);
        Assert.Equal(new GpsTime(968654557, 783203126), first.PeakTime);
        Assert.Equal(162, first.CentralFrequency);
        Assert.Equal(256, first.Bandwidth);
        Assert.Equal(0.69409615, first.Snr, 6);
        Assert.Equal(2.3497068, first.Amplitude * 1e25, 6);
    }

    [Fact]
    public void OurTriggersWriteAndReadBackAsSnglBurstPlainAndGzipped()
    {
        var dir = IoTestSupport.TempDir();
        var rows = new List<TriggerRecord>
        {
            new() { Ifo = "V1", Channel = "V1:Hrec_hoft_16384Hz", Pipeline = "glitchnet", PeakTime = new GpsTime(1238166093, 265000000), StartTime = new GpsTime(1238166092, 500000000),
                Duration = 2, CentralFrequency = 120, Bandwidth = 80, Snr = 19.5, Class = "Blip", Probability = 0.998 },
            new() { Ifo = "V1", Channel = "V1:Hrec_hoft_16384Hz", Pipeline = "qtransform", PeakTime = new GpsTime(1238166100, 1), StartTime = new GpsTime(1238166099, 999000000),
                Duration = 0.05, CentralFrequency = 42, Bandwidth = 10, Snr = 11.25, Amplitude = 3e-22 },
        };
        foreach (var name in new[] { "t.xml", "t.xml.gz" })
        {
            var path = Path.Combine(dir, name);
            LigoLw.WriteSnglBurst(path, rows, "noise", "0.1.0", new GpsTime(1238166018, 0), new GpsTime(1238166274, 0), "V1");
            var back = LigoLw.ReadSnglBurst(path);
            Assert.Equal(2, back.Count);
            Assert.Equal("Blip", back[0].Class);
            Assert.Equal("glitchnet", back[0].Pipeline);
            Assert.Equal(rows[0].PeakTime, back[0].PeakTime);
            Assert.Equal(0.998, back[0].Probability, 6);
            Assert.Equal("qtransform", back[1].Pipeline);
            Assert.Equal(rows[1].PeakTime, back[1].PeakTime);
            Assert.Equal(11.25, back[1].Snr, 6);
            var summary = LigoLw.Read(path)["search_summary"];
            Assert.Equal("2", summary.Rows.Single()[summary.Column("nevents")]);
        }
        var bad = Path.Combine(dir, "bad.xml");
        File.WriteAllText(bad, "<LIGO_LW><Table Name=\"x:table\"><Column Name=\"x:a\" Type=\"int_4s\"/>");
        Assert.Contains("not a readable LIGO_LW document", Assert.Throws<NoiseInputException>(() => LigoLw.Read(bad)).Message, StringComparison.Ordinal);
    }
}
