using System.Security.Cryptography;
using System.Text.Json;
using Noise.IO;

namespace Noise.Cli.Tests;

public class SimulateTests
{
    private static string Simulate(string outDir, params string[] extra)
    {
        string[] args = ["simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--out", outDir, .. extra];
        var (code, stdout, err) = CliHarness.Run(args);
        Assert.True(code == 0, err);
        Assert.Contains("x real time on cpu", stdout, StringComparison.Ordinal);
        return stdout;
    }

    [Fact]
    public void DifferentBlockSizesWriteIdenticalSamplesAndFiles()
    {
        var a = CliHarness.TempDir();
        var b = CliHarness.TempDir();
        Simulate(a, "--duration", "96", "--block", "64");
        Simulate(b, "--duration", "96", "--block", "5", "--threads", "1");
        foreach (var ext in new[] { "parquet", "hdf5", "witness:V1:ENV_CEB_MIC_V", "witness:V1:ENV_CEB_SEIS_V", "witness-hdf5:V1:ENV_CEB_SEIS_V", "state-vector" })
        {
            var fa = CliHarness.StrainFile(a, ext);
            var fb = CliHarness.StrainFile(b, ext);
            if (!ext.StartsWith("state", StringComparison.Ordinal)) Assert.Equal(StrainReader.Read(fa).Data, StrainReader.Read(fb).Data);
            Assert.Equal(SHA256.HashData(File.ReadAllBytes(fa)), SHA256.HashData(File.ReadAllBytes(fb)));
        }
    }

    [Fact]
    public void ManifestRecordsScenarioSeedDeviceAndChecksums()
    {
        var dir = CliHarness.TempDir();
        Simulate(dir, "--duration", "8", "--seed", "77", "--format", "hdf5");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
        var root = doc.RootElement;
        Assert.Equal(77, root.GetProperty("seed").GetInt64());
        Assert.StartsWith("cpu:", root.GetProperty("device").GetString(), StringComparison.Ordinal);
        Assert.Equal("virgo-o3", root.GetProperty("scenario").GetProperty("name").GetString());
        Assert.Equal(64, root.GetProperty("scenario_hash").GetString()!.Length);
        var file = root.GetProperty("files")[0];
        var path = Path.Combine(dir, file.GetProperty("path").GetString()!);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), file.GetProperty("sha256").GetString());
        Assert.Equal("V-V1_NOISE_VIRGO_O3-1238166018-8.hdf5", Path.GetFileName(path));
    }

    /// <summary>Every file run.json lists carries its true SHA-256, whether its writer hashed it while writing (Parquet) or run.json read it back (HDF5, state vector, witnesses).</summary>
    [Fact]
    public void EveryChecksumInTheManifestIsTheFilesOwn()
    {
        var dir = CliHarness.TempDir();
        Simulate(dir, "--duration", "8", "--seed", "78", "--format", "both");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
        var files = doc.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Contains(files, f => f.GetProperty("format").GetString() == "parquet");
        foreach (var file in files)
        {
            var path = Path.Combine(dir, file.GetProperty("path").GetString()!);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), file.GetProperty("sha256").GetString());
            Assert.Equal(new FileInfo(path).Length, file.GetProperty("bytes").GetInt64());
        }
    }

    [Fact]
    public void ScipyWelchOfTheHdf5MatchesTheO3CurveAndDuckDbReadsTheParquet()
    {
        // The acceptance check: scipy's Welch ASD from the HDF5 within 3 % (median) and 8 % (95th
        // percentile) of the target over 20-2000 Hz.
        var dir = CliHarness.TempDir();
        Simulate(dir, "--duration", "2048");
        var h5 = CliHarness.StrainFile(dir, "hdf5");
        const string script = """
import sys, h5py, numpy as np, scipy.signal as ss
f = h5py.File(sys.argv[1], 'r'); s = f['strain/Strain']
fs = 1 / s.attrs['Xspacing']; x = s[:].astype(np.float64)
fr, p = ss.welch(x, fs=fs, nperseg=int(4 * fs), average='median')
d = np.loadtxt(sys.argv[2])
target = np.exp(np.interp(np.log(fr[1:]), np.log(d[1:, 0]), np.log(d[1:, 1])))
sel = (fr[1:] >= 20) & (fr[1:] <= 2000)
r = np.abs(np.sqrt(p[1:][sel]) / target[sel] - 1)
print('median %.4f p95 %.4f' % (np.median(r), np.percentile(r, 95)))
""";
        var (code, output) = CliHarness.Process("/usr/bin/python3", "-c", script, h5, CliHarness.Config("curves/O3-V1_sensitivity_strain_asd.txt"));
        Assert.True(code == 0, output);
        var parts = output.Trim().Split(' ');
        double median = double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        double p95 = double.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(median < 0.03 && p95 < 0.08, output);

        var parquet = CliHarness.StrainFile(dir, "parquet");
        var tools = Path.Combine(CliHarness.RepoRoot(), "tests", "tools");
        Assert.True(Directory.Exists(Path.Combine(tools, "node_modules", "@duckdb")), "run `npm ci` in tests/tools (.ci/run does)");
        var (dcode, dout) = CliHarness.Process("node", Path.Combine(tools, "duckdb-read.mjs"), parquet, "V1:Hrec_hoft_16384Hz");
        Assert.True(dcode == 0, dout);
        using var doc = JsonDocument.Parse(dout);
        Assert.Equal("33554432", doc.RootElement.GetProperty("n").GetString());
        Assert.Equal(1238166018.0, doc.RootElement.GetProperty("t0").GetDouble());
        Assert.Equal("16384", doc.RootElement.GetProperty("meta").GetProperty("sample_rate").GetString());
        Assert.InRange(doc.RootElement.GetProperty("sd").GetDouble(), 1e-20, 1e-18);
    }

    [Fact]
    public void PsdCommandReportsFidelityAndDrawsThePlot()
    {
        var dir = CliHarness.TempDir();
        Simulate(dir, "--duration", "256", "--format", "hdf5");
        var h5 = CliHarness.StrainFile(dir, "hdf5");
        var png = Path.Combine(dir, "asd.png");
        var csv = Path.Combine(dir, "asd.csv");
        var (code, stdout, err) = CliHarness.Run("psd", "--in", h5, "--config", CliHarness.Config("virgo-o3.yaml"), "--plot", png, "--csv", csv);
        Assert.True(code == 0, err);
        Assert.Contains("fidelity 20-2000 Hz: median", stdout, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G');
        Assert.StartsWith("frequency,asd,target_asd,ratio", File.ReadAllText(csv), StringComparison.Ordinal);
    }

    [Fact]
    public void InfoNamesTheDeviceAndFftBackend()
    {
        var (code, stdout, _) = CliHarness.Run("info");
        Assert.Equal(0, code);
        Assert.Contains("device auto -> ", stdout, StringComparison.Ordinal);
        Assert.Contains("fft backend: ", stdout, StringComparison.Ordinal);
        Assert.Contains("ILGPU: 1.5.3", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpTeaches()
    {
        var (code, stdout, _) = CliHarness.Run("simulate", "--help");
        Assert.Equal(0, code);
        foreach (var flag in new[] { "--config", "--duration", "--out", "--seed", "--gps-start", "--device", "--format", "--block", "--threads", "Example:" })
            Assert.Contains(flag, stdout, StringComparison.Ordinal);
    }
}
