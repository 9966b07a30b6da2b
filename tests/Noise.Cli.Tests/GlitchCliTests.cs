using System.Text.Json;

namespace Noise.Cli.Tests;

public class GlitchCliTests
{
    [Fact]
    public void GlitchesAloneWithACatalogueThatScipyConfirms()
    {
        var dir = CliHarness.TempDir();
        var (code, _, err) = CliHarness.Run("simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", "1200",
            "--out", dir, "--components", "glitches", "--format", "hdf5", "--catalogue-jsonl");
        Assert.True(code == 0, err);
        Assert.Contains("catalogue: ", err, StringComparison.Ordinal);
        var jsonl = Directory.GetFiles(dir, "*_EVENTS-*.jsonl").Single();
        Assert.Single(Directory.GetFiles(dir, "*_EVENTS-*.parquet"));
        var rows = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(rows.Count >= 5, $"{rows.Count} events in 20 minutes of the O3 mix");
        foreach (var r in rows)
        {
            Assert.Equal("glitch", r.GetProperty("kind").GetString());
            Assert.True(r.GetProperty("snr").GetDouble() >= 6.5);
            Assert.True(r.GetProperty("peak_time_ns").GetInt32() is >= 0 and < 1_000_000_000);
        }
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json"))))
            Assert.Equal("glitches", manifest.RootElement.GetProperty("components").GetString());

        // independent check with numpy: windows from 8 s before to 16 s after the peak (repeating blips last up to 10 s)
        var (n, worst, output) = ScipySnr(CliHarness.StrainFile(dir, "hdf5"), jsonl, before: 8, after: 16, isolation: 24);
        Assert.True(n >= 3 && worst < 0.02, output);
    }

    [Fact]
    public void InjectedChirpsAreAstrophysicalAndScipyConfirmsTheirSnr()
    {
        var dir = CliHarness.TempDir();
        var yaml = Path.Combine(dir, "chirps.yaml");
        File.WriteAllText(yaml, $"name: chirps\npsd:\n  file: {CliHarness.Config("curves/O3-V1_sensitivity_strain_asd.txt")}\nf_low: 10\n" +
                                "injections:\n  rate_per_hour: 40\n  chirp_mass: [10, 30]\n  snr: [10, 30]\n");
        var (code, _, err) = CliHarness.Run("simulate", "--config", yaml, "--duration", "900", "--out", dir, "--components", "injections", "--format", "hdf5", "--catalogue-jsonl");
        Assert.True(code == 0, err);
        var jsonl = Directory.GetFiles(dir, "*_EVENTS-*.jsonl").Single();
        var rows = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(rows.Count >= 4, $"{rows.Count} chirps");
        Assert.All(rows, r => Assert.Equal("astrophysical", r.GetProperty("kind").GetString()));
        // chirps peak at their catalogue time and start up to ~10 s before it (chirp mass 10 from 17 Hz)
        var (n, worst, output) = ScipySnr(CliHarness.StrainFile(dir, "hdf5"), jsonl, before: 20, after: 4, isolation: 30);
        Assert.True(n >= 2 && worst < 0.02, output);
    }

    /// <summary>
    /// Independent SNR check with numpy and the curve file: for every event with no neighbour within
    /// <paramref name="isolation"/> s, the optimal SNR of [t - before, t + after] against the ASD. Returns how many
    /// were checked and the worst relative deviation from the catalogue. Witness-channel rows are not strain events.
    /// </summary>
    internal static (int Checked, double Worst, string Output) ScipySnr(string h5, string jsonl, double before, double after, double isolation)
    {
        const string script = """
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r'); s = f['strain/Strain']; x = s[:].astype(np.float64)
fs = 1 / s.attrs['Xspacing']; t0 = s.attrs['Xstart']
d = np.loadtxt(sys.argv[3]); ev = [e for e in map(json.loads, open(sys.argv[2])) if e['kind'] != 'environment']
before, after, isolation = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
worst, n, what = 0.0, 0, '-'
for e in ev:
    t = e['time']
    if any(o is not e and abs(o['time'] - t) < isolation for o in ev): continue
    i0, i1 = int((t - t0 - before) * fs), int((t - t0 + after) * fs)
    if i0 < 0 or i1 > len(x): continue
    h = np.fft.rfft(x[i0:i1]) / fs; fr = np.fft.rfftfreq(i1 - i0, 1 / fs)
    S = np.exp(np.interp(np.log(np.maximum(fr, 1e-3)), np.log(np.maximum(d[:, 0], 1e-3)), np.log(d[:, 1]))) ** 2
    m = (fr >= 10) & (fr < fs / 2)
    rho = np.sqrt(4 * np.sum(np.abs(h[m]) ** 2 / S[m]) * fr[1])
    err = abs(rho / e['snr'] - 1); n += 1
    if err > worst: worst, what = err, e['class']
print('checked %d worst %.4f %s' % (n, worst, what))
""";
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var (code, output) = CliHarness.Process("/usr/bin/python3", "-c", script, h5, jsonl,
            CliHarness.Config("curves/O3-V1_sensitivity_strain_asd.txt"), before.ToString(inv), after.ToString(inv), isolation.ToString(inv));
        Assert.True(code == 0, output);
        var parts = output.Trim().Split(' ');
        return (int.Parse(parts[1], inv), double.Parse(parts[3], inv), output);
    }

    [Fact]
    public void ComponentErrors()
    {
        var dir = CliHarness.TempDir();
        var (code, _, err) = CliHarness.Run("simulate", "--config", CliHarness.Config("virgo-design.yaml"), "--duration", "4", "--out", dir, "--components", "glitches");
        Assert.Equal(2, code);
        Assert.Contains("defines no glitches", err, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run("simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", "4", "--out", dir, "--components", "noise,wind");
        Assert.Equal(2, code);
        Assert.Contains("unknown component 'wind'", err, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run("simulate", "--config", CliHarness.Config("virgo-design.yaml"), "--duration", "4", "--out", dir, "--components", "noise,aux");
        Assert.Equal(2, code);
        Assert.Contains("defines no aux", err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir));
    }
}

public class QScanCliTests
{
    [Fact]
    public void QScanFindsTheLoudestGlitchAndDrawsIt()
    {
        var dir = CliHarness.TempDir();
        var (code, _, err) = CliHarness.Run("simulate", "--config", CliHarness.Config("virgo-o3.yaml"), "--duration", "200", "--out", dir, "--format", "hdf5", "--catalogue-jsonl", "--plots");
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(dir, "asd.png")));
        var rows = File.ReadAllLines(Directory.GetFiles(dir, "*.jsonl").Single()).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        var loud = rows.OrderByDescending(r => r.GetProperty("snr").GetDouble()).First();
        double t = loud.GetProperty("time").GetDouble();
        Assert.NotEmpty(Directory.GetFiles(dir, "qscan-*.png"));
        var png = Path.Combine(dir, "scan.png");
        string gps = t.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var (qc, stdout, qerr) = CliHarness.Run("qscan", "--in", CliHarness.StrainFile(dir, "hdf5"), "--gps", gps, "--window", "2", "--plot", png);
        Assert.True(qc == 0, qerr);
        Assert.Contains("loudest tile normalised energy", stdout, StringComparison.Ordinal);
        Assert.True(new FileInfo(png).Length > 10_000);
        // the loudest tile sits on the glitch
        var m = System.Text.RegularExpressions.Regex.Match(stdout, @"at GPS (\d+\.\d+)");
        Assert.InRange(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), t - 0.6, t + 0.6);

        var (bc, _, berr) = CliHarness.Run("qscan", "--in", CliHarness.StrainFile(dir, "hdf5"), "--gps", "1", "--plot", png);
        Assert.Equal(2, bc);
        Assert.Contains("outside the file", berr, StringComparison.Ordinal);
        (bc, _, berr) = CliHarness.Run("qscan", "--in", CliHarness.StrainFile(dir, "hdf5"), "--gps", gps, "--qrange", "64,4");
        Assert.Equal(2, bc);
        Assert.Contains("--qrange", berr, StringComparison.Ordinal);
    }
}
