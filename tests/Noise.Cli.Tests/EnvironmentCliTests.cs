using System.Text.Json;
using Noise.IO;

namespace Noise.Cli.Tests;

/// <summary>Lock losses, the state vector, witness channels and their couplings, through the CLI.</summary>
public class EnvironmentCliTests
{
    private static void Ok(params string[] args)
    {
        var (code, _, err) = CliHarness.Run(args);
        Assert.True(code == 0, err);
    }

    private static List<JsonElement> Rows(string dir) =>
        File.ReadAllLines(Directory.GetFiles(dir, "*_EVENTS-*.jsonl").Single()).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [Fact]
    public void StateVectorGatesTheStrainTheDqMaskAndTheCatalogue()
    {
        var dir = CliHarness.TempDir();
        Ok("simulate", "--config", CliHarness.BusyScenario(dir), "--duration", "600", "--out", Path.Combine(dir, "run"),
            "--components", "noise,glitches", "--format", "both", "--catalogue-jsonl");
        var run = Path.Combine(dir, "run");
        var (first, states) = StateVectorFile.Read(CliHarness.OutputFile(run, "state-vector"));
        var strain = StrainReader.Read(CliHarness.StrainFile(run, "parquet"));
        long t0 = (long)Math.Floor(strain.GpsStart);
        Assert.Equal(t0, first);
        Assert.Equal(600, states.Length);
        int unready = states.Count(s => (s & 3) != 3);
        Assert.True(unready is > 30 and < 570, $"{unready} of 600 s not analysis-ready: the busy scenario should unlock a few times");
        for (int sec = 0; sec < 600; sec++)
        {
            var x = strain.Data.AsSpan(sec * 16384, 16384);
            int zeros = 0, zeroRun = 0, longest = 0;
            foreach (var v in x)
            {
                if (v == 0) zeros++;
                zeroRun = v == 0 ? zeroRun + 1 : 0;
                longest = Math.Max(longest, zeroRun);
            }
            // float32 strain may cross zero exactly now and then (about once in 1000 s); "no data" is a run of zeros
            if ((states[sec] & 3) == 3) Assert.True(longest < Noise.Detection.Conditioning.MinZeroRun, $"second {sec} is analysis-ready but holds {longest} zeros in a row");
            else Assert.True(zeros == 16384, $"second {sec} is not analysis-ready but holds data");
        }
        // the GWOSC-layout HDF5: DQmask bit 0 (DATA) follows the state vector
        var (code, output) = CliHarness.Process("/usr/bin/python3", "-c",
            "import sys, h5py; print(' '.join(str(v) for v in h5py.File(sys.argv[1], 'r')['quality/simple/DQmask'][:]))",
            CliHarness.StrainFile(run, "hdf5"));
        Assert.True(code == 0, output);
        var dq = output.Trim().Split(' ').Select(int.Parse).ToArray();
        Assert.Equal(states.Select(s => (s & 3) == 3), dq.Select(d => (d & 1) == 1));
        // no strain events catalogued where the strain holds no data
        var rows = Rows(run);
        Assert.NotEmpty(rows);
        foreach (var r in rows)
            Assert.True((states[r.GetProperty("peak_time").GetInt64() - t0] & 3) == 3, $"event at {r.GetProperty("time")} while unlocked");
    }

    [Fact]
    public void WitnessChannelsSeeTheDisturbancesThatCoupleIntoTheStrain()
    {
        var dir = CliHarness.TempDir();
        var run = Path.Combine(dir, "run");
        Ok("simulate", "--config", CliHarness.BusyScenario(dir), "--duration", "900", "--out", run, "--components", "aux", "--format", "parquet", "--catalogue-jsonl");
        var rows = Rows(run);
        var strainRows = rows.Where(r => r.GetProperty("channel").GetString() == "V1:Hrec_hoft_16384Hz").ToList();
        var envRows = rows.Where(r => r.GetProperty("kind").GetString() == "environment").ToList();
        Assert.True(strainRows.Count >= 10, $"{strainRows.Count} coupled glitches");
        Assert.Contains(strainRows, r => r.GetProperty("witnesses").GetString() != "");
        Assert.Contains(strainRows, r => r.GetProperty("witnesses").GetString() == "");
        Assert.Equal(["Blip", "Low_Frequency_Burst", "Scattered_Light"], strainRows.Select(r => r.GetProperty("class").GetString()!).Distinct().Order(StringComparer.Ordinal));

        var witnesses = new Dictionary<string, StrainSeries>();
        StrainSeries Witness(string ch) => witnesses.TryGetValue(ch, out var w) ? w : witnesses[ch] = StrainReader.Read(CliHarness.OutputFile(run, "witness:" + ch));
        var floors = new Dictionary<string, double> { ["V1:ENV_CEB_SEIS_V"] = 2e-9, ["V1:ENV_CEB_MIC_V"] = 2e-3, ["V1:ENV_CEB_MAG_N"] = 1e-12 };
        int checkedWitnessed = 0;
        foreach (var r in strainRows)
        {
            // the disturbance as its witness recorded it (same cause, same reference time)
            var env = envRows.Single(e => e.GetProperty("cause").GetString() == r.GetProperty("cause").GetString()
                                         && e.GetProperty("event_id").GetInt64() == (r.GetProperty("event_id").GetInt64() & ~(1L << 62)));
            string ch = env.GetProperty("channel").GetString()!;
            double catalogueSnr = env.GetProperty("snr").GetDouble();
            bool listed = r.GetProperty("witnesses").GetString() == ch;
            Assert.Equal(catalogueSnr >= 5, listed);
            // recompute the witness SNR from the witness file: excess energy over the white floor in the event's span
            var w = Witness(ch);
            double fw = w.SampleRate, t = env.GetProperty("time").GetDouble(), half = env.GetProperty("duration").GetDouble();
            int i0 = (int)Math.Max(0, (t - half - w.GpsStart) * fw), i1 = (int)Math.Min(w.Data.Length, (t + half - w.GpsStart) * fw);
            // another disturbance in the same channel and span would add its own energy
            bool crowded = envRows.Any(o => !o.Equals(env) && o.GetProperty("channel").GetString() == ch
                && Math.Abs(o.GetProperty("time").GetDouble() - t) < half + o.GetProperty("duration").GetDouble());
            if (i1 - i0 < 4 || crowded) continue;
            double e = 0;
            for (int i = i0; i < i1; i++) e += w.Data[i] * w.Data[i];
            double s0 = floors[ch] * floors[ch];
            // rho^2 = (2 / S0) * integral w^2 dt, less what the floor alone gives: sigma^2 = S0 fw / 2 per sample
            double rho2 = 2 * (e / fw - s0 / 2 * (i1 - i0)) / s0;
            double measured = Math.Sqrt(Math.Max(0, rho2));
            if (catalogueSnr >= 10)
            {
                Assert.True(Math.Abs(measured / catalogueSnr - 1) < 0.3, $"{ch} at {t}: witness SNR {measured:F1} in the file, {catalogueSnr:F1} in the catalogue");
                checkedWitnessed++;
            }
            else if (catalogueSnr < 2)
            {
                // the floor alone makes rho^2 fluctuate by sqrt(2 N) over N samples: allow five of those
                double allowed = Math.Sqrt(4 + 5 * Math.Sqrt(2.0 * (i1 - i0)));
                Assert.True(measured < allowed, $"{ch} at {t}: the catalogue says the witness barely saw it (SNR {catalogueSnr:F1}) but the file shows {measured:F1}");
            }
        }
        Assert.True(checkedWitnessed >= 5, $"{checkedWitnessed} witnessed glitches checked");
    }

    [Theory]
    [InlineData("Truck: { rate_per_hour: 20, amplitude: [5.0e-7, 2.0e-6], duration: [10, 30] }", 3600, 35)]
    [InlineData("Thunder: { rate_per_hour: 60 }\n  Magnetic_Pulse: { rate_per_hour: 60 }", 600, 6)]
    public void CoupledGlitchSnrsMatchScipy(string families, int seconds, double reach)
    {
        var dir = CliHarness.TempDir();
        var run = Path.Combine(dir, "run");
        var cfg = CliHarness.BusyScenario(dir, "coupled", CliHarness.Witnesses + "disturbances:\n  " + families + "\n");
        Ok("simulate", "--config", cfg, "--duration", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", run,
            "--components", "aux", "--format", "hdf5", "--catalogue-jsonl");
        var jsonl = Directory.GetFiles(run, "*_EVENTS-*.jsonl").Single();
        var (n, worst, output) = GlitchCliTests.ScipySnr(CliHarness.StrainFile(run, "hdf5"), jsonl, before: reach, after: reach, isolation: 2 * reach);
        Assert.True(n >= 3 && worst < 0.02, output);
    }
}
