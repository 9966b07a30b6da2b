using System.Security.Cryptography;
using Noise.IO;

namespace Noise.Cli.Tests;

public class ShardMergeTests
{
    private static void Ok(params string[] args)
    {
        var (code, _, err) = CliHarness.Run(args);
        Assert.True(code == 0, err);
    }

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void FourShardsMergeIntoTheUnshardedFilesAndRerunsAreNoOps()
    {
        // every component, with lock losses and disturbances often enough to straddle the shard boundaries
        var root = CliHarness.TempDir();
        var cfg = CliHarness.BusyScenario(root);
        for (int i = 0; i < 4; i++)
            Ok("simulate", "--config", cfg, "--duration", "70", "--out", Path.Combine(root, "run"), "--shard", $"{i}/4", "--block", "16");
        var shard2 = Path.Combine(root, "run", "shard-0002-of-0004");
        var before = File.GetLastWriteTimeUtc(Path.Combine(shard2, "run.json"));
        var (code, stdout, _) = CliHarness.Run("simulate", "--config", cfg, "--duration", "70", "--out", Path.Combine(root, "run"), "--shard", "2/4");
        Assert.Equal(0, code);
        Assert.Contains("already complete", stdout, StringComparison.Ordinal);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(shard2, "run.json")));

        Ok("merge", "--in", Path.Combine(root, "run"), "--out", Path.Combine(root, "merged"));
        Ok("simulate", "--config", cfg, "--duration", "70", "--out", Path.Combine(root, "whole"));
        foreach (var ext in new[] { "parquet", "hdf5" })
        {
            var merged = CliHarness.StrainFile(Path.Combine(root, "merged"), ext);
            var whole = CliHarness.StrainFile(Path.Combine(root, "whole"), ext);
            Assert.Equal(Path.GetFileName(whole), Path.GetFileName(merged));
            Assert.Equal(Sha(whole), Sha(merged));
        }
        // the catalogue, the state vector and the witness channels merge into the unsharded ones too
        string[] witnesses = ["V1:ENV_CEB_SEIS_V", "V1:ENV_CEB_MIC_V", "V1:ENV_CEB_MAG_N"];
        var formats = new[] { "catalogue-parquet", "state-vector" }
            .Concat(witnesses.Select(w => "witness:" + w)).Concat(witnesses.Select(w => "witness-hdf5:" + w));
        foreach (var format in formats)
        {
            var merged = CliHarness.OutputFile(Path.Combine(root, "merged"), format);
            var whole = CliHarness.OutputFile(Path.Combine(root, "whole"), format);
            Assert.Equal(Path.GetFileName(whole), Path.GetFileName(merged));
            Assert.True(Sha(whole) == Sha(merged), format + " differs");
        }
        // a run in both formats writes each witness channel in both, with the same samples
        foreach (var w in witnesses)
        {
            var parquet = StrainReader.Read(CliHarness.OutputFile(Path.Combine(root, "whole"), "witness:" + w));
            var hdf5 = StrainReader.Read(CliHarness.OutputFile(Path.Combine(root, "whole"), "witness-hdf5:" + w));
            Assert.Equal(parquet.Data, hdf5.Data);
            Assert.Equal(parquet.GpsStart, hdf5.GpsStart);
            Assert.Equal(w, hdf5.Channel);
            Assert.Equal(parquet.SampleRate, hdf5.SampleRate);
        }
        var (_, states) = StateVectorFile.Read(CliHarness.OutputFile(Path.Combine(root, "whole"), "state-vector"));
        Assert.Contains(states, s => (s & 3) != 3);
    }

    [Fact]
    public void MergeRefusesIncompleteOrInconsistentShards()
    {
        var root = CliHarness.TempDir();
        var cfg = CliHarness.Config("virgo-o3.yaml");
        Ok("simulate", "--config", cfg, "--duration", "8", "--out", Path.Combine(root, "a"), "--shard", "0/2", "--format", "hdf5");
        var (code, _, err) = CliHarness.Run("merge", "--in", Path.Combine(root, "a"), "--out", Path.Combine(root, "m"));
        Assert.Equal(2, code);
        Assert.Contains("missing shard(s) 1 of 2", err, StringComparison.Ordinal);

        Ok("simulate", "--config", cfg, "--duration", "8", "--out", Path.Combine(root, "b"), "--shard", "1/2", "--format", "hdf5", "--seed", "5");
        (code, _, err) = CliHarness.Run("merge", "--in", Path.Combine(root, "a"), Path.Combine(root, "b"), "--out", Path.Combine(root, "m"));
        Assert.Equal(2, code);
        Assert.Contains("seed", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root, "m")) && Directory.GetFiles(Path.Combine(root, "m")).Length > 0);
    }

    [Fact]
    public void AnotherRunInAShardFolderIsAnError()
    {
        var root = CliHarness.TempDir();
        var cfg = CliHarness.Config("virgo-o3.yaml");
        Ok("simulate", "--config", cfg, "--duration", "8", "--out", root, "--shard", "0/2", "--format", "hdf5");
        var (code, _, err) = CliHarness.Run("simulate", "--config", cfg, "--duration", "8", "--out", root, "--shard", "0/2", "--format", "hdf5", "--seed", "9");
        Assert.Equal(2, code);
        Assert.Contains("holds a different run", err, StringComparison.Ordinal);
    }
}

public class FrameOutputTests
{
    private static void Ok(params string[] args)
    {
        var (code, _, err) = CliHarness.Run(args);
        Assert.True(code == 0, err);
    }

    private static byte[] Bytes(string dir, string pattern) => File.ReadAllBytes(Directory.GetFiles(dir, pattern).Single());

    /// <summary>
    /// simulate --format gwf: one frame file with the strain and its state vector (witnesses in their own frames),
    /// the same samples as the HDF5 output, byte-stable under block size and shards (merge joins them into the
    /// unsharded file), and read back by detect with --channel.
    /// </summary>
    [Fact]
    public void GwfOutputHoldsTheSameSamplesAndIsByteStableUnderBlocksAndShards()
    {
        var root = CliHarness.TempDir();
        var cfg = CliHarness.BusyScenario(root);
        Ok("simulate", "--config", cfg, "--duration", "40", "--out", Path.Combine(root, "gwf"), "--format", "gwf", "--block", "16");
        Ok("simulate", "--config", cfg, "--duration", "40", "--out", Path.Combine(root, "gwf-block"), "--format", "gwf", "--block", "5", "--threads", "1");
        Ok("simulate", "--config", cfg, "--duration", "40", "--out", Path.Combine(root, "hdf5"), "--format", "hdf5");
        for (int i = 0; i < 2; i++)
            Ok("simulate", "--config", cfg, "--duration", "40", "--out", Path.Combine(root, "shards"), "--format", "gwf", "--shard", $"{i}/2");
        Ok("merge", "--in", Path.Combine(root, "shards"), "--out", Path.Combine(root, "merged"));
        var whole = Directory.GetFiles(Path.Combine(root, "gwf"), "*.gwf");
        Assert.True(whole.Length >= 2, string.Join(", ", whole));   // the strain and at least one witness
        foreach (var f in whole)
        {
            var name = Path.GetFileName(f);
            Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Combine(root, "gwf-block", name)));
            Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Combine(root, "merged", name)));
        }
        var strainFile = CliHarness.StrainFile(Path.Combine(root, "gwf"), "gwf");
        var frame = Noise.IO.Frames.GwfReader.ReadAll(strainFile);
        Assert.Equal([s_channel, "V1:DQ_ANALYSIS_STATE_VECTOR"], frame.Select(c => c.Name));
        var hdf = Noise.IO.StrainReader.Read(CliHarness.StrainFile(Path.Combine(root, "hdf5"), "hdf5"));
        Assert.Equal(hdf.Data, frame[0].Data);
        var (code, stdout, err) = CliHarness.Run("detect", "--in", strainFile, "--channel", s_channel, "--model", Path.Combine(CliHarness.RepoRoot(), "models", "glitchnet-o3"), "--out", Path.Combine(root, "detect"));
        Assert.True(code == 0, err);
        Assert.Contains("16384 Hz, 40 s", stdout, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run("psd", "--in", strainFile);
        Assert.Equal(2, code);
        Assert.Contains("name one with --channel", err, StringComparison.Ordinal);
    }

    /// <summary>
    /// simulate --frame-seconds: a frame folder of N s GWF files whose samples and state vector, joined, are the
    /// single frame's; byte-stable under block size; run.json lists every frame; bad combinations are one clear error.
    /// </summary>
    [Fact]
    public void AFrameFolderHoldsTheRunsSamplesFrameByFrame()
    {
        var root = CliHarness.TempDir();
        var cfg = CliHarness.BusyScenario(root);
        Ok("simulate", "--config", cfg, "--duration", "12", "--out", Path.Combine(root, "one"), "--format", "gwf", "--components", "noise,glitches");
        Ok("simulate", "--config", cfg, "--duration", "12", "--out", Path.Combine(root, "frames"), "--format", "gwf", "--components", "noise,glitches", "--frame-seconds", "2", "--block", "5");
        Ok("simulate", "--config", cfg, "--duration", "12", "--out", Path.Combine(root, "frames-b"), "--format", "gwf", "--components", "noise,glitches", "--frame-seconds", "2", "--block", "64");
        var whole = Noise.IO.Frames.GwfReader.ReadAll(CliHarness.StrainFile(Path.Combine(root, "one"), "gwf"));
        var frames = Directory.GetFiles(Path.Combine(root, "frames", "frames"), "*.gwf").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(6, frames.Count);
        var joined = frames.Select(Noise.IO.Frames.GwfReader.ReadAll).ToList();
        for (int c = 0; c < whole.Count; c++)
        {
            Assert.Equal(whole[c].Name, joined[0][c].Name);
            Assert.Equal(whole[c].Data, joined.SelectMany(f => f[c].Data).ToArray());
        }
        Assert.All(frames, f => Assert.Matches(@"^V-V1_NOISE_VIRGO_O3-\d{10}-2\.gwf$", Path.GetFileName(f)));
        Assert.Equal(frames.Select(File.ReadAllBytes), frames.Select(f => File.ReadAllBytes(Path.Combine(root, "frames-b", "frames", Path.GetFileName(f)))));
        // shards write their frames, merge gathers them: the unsharded run's frames
        for (int i = 0; i < 2; i++)
            Ok("simulate", "--config", cfg, "--duration", "12", "--out", Path.Combine(root, "shards"), "--format", "gwf", "--components", "noise,glitches", "--frame-seconds", "2", "--shard", $"{i}/2");
        Ok("merge", "--in", Path.Combine(root, "shards"), "--out", Path.Combine(root, "merged"));
        Assert.Equal(frames.Select(File.ReadAllBytes), frames.Select(f => File.ReadAllBytes(Path.Combine(root, "merged", "frames", Path.GetFileName(f)))));
        var (cut, _, cutErr) = CliHarness.Run("simulate", "--config", cfg, "--duration", "12", "--out", Path.Combine(root, "cut"), "--format", "gwf", "--frame-seconds", "2", "--shard", "2/5");
        Assert.Equal(2, cut);
        Assert.Contains("would cut a 2 s frame", cutErr, StringComparison.Ordinal);
        var listed = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(root, "frames", "run.json")))!["files"]!.AsArray()
            .Where(f => f!["format"]!.GetValue<string>() == "gwf-frame").Select(f => f!["path"]!.GetValue<string>()).ToList();
        Assert.Equal(frames.Select(f => "frames/" + Path.GetFileName(f)), listed);
        foreach (var (args, message) in new[]
        {
            (new[] { "--frame-seconds", "1" }, "use --format gwf"),
            (new[] { "--format", "gwf", "--realtime" }, "give --frame-seconds too"),
            (new[] { "--format", "gwf", "--frame-seconds", "5" }, "not a whole number of 5 s frames"),
            (new[] { "--format", "gwf", "--frame-seconds", "1", "--frame-keep", "0.5" }, "would delete each 1 s frame"),
        })
        {
            var bad = Path.Combine(root, "bad");
            var (code, _, err) = CliHarness.Run(["simulate", "--config", cfg, "--duration", "12", "--out", bad, .. args]);
            Assert.Equal(2, code);
            Assert.Contains(message, err, StringComparison.Ordinal);
            Assert.False(Directory.Exists(bad));
        }
    }

    private const string s_channel = "V1:Hrec_hoft_16384Hz";
}
