using ILGPU;
using ILGPU.Runtime;
using System.Diagnostics;
using System.Globalization;
using Noise.Core;
using Noise.Simulation;
using Noise.Simulation.Environment;

namespace Noise.Benchmarks;

/// <summary>
/// `gpucheck [SECONDS]`: what a GPU node must show before the twin is trusted there, in one process with no
/// .NET SDK needed (publish this project self-contained and run it on the node):
/// the CUDA device ILGPU picks, CPU/CUDA agreement with every component on (strain and each witness channel),
/// bit-reproducibility on CUDA, and generation throughput on CUDA and on the CPU of the same node.
/// Writes `gpucheck.json` and the first 64 s of CUDA strain as raw float32 (for an independent PSD check).
/// </summary>
internal static class GpuCheck
{
    public static int Run(string[] args)
    {
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 4096;
        string outDir = args.Length > 2 ? args[2] : ".";
        Directory.CreateDirectory(outDir);
        var report = new Dictionary<string, object?>();
        var gpus = ComputeDevice.ListCudaDevices();
        report["cuda_devices"] = gpus;
        report["ilgpu"] = ComputeDevice.IlgpuVersion;
        Console.WriteLine($"ILGPU {ComputeDevice.IlgpuVersion}; CUDA devices: {(gpus.Count == 0 ? "none" : string.Join("; ", gpus))}");
        if (gpus.Count == 0) { Console.Error.WriteLine("gpucheck: no CUDA device"); return 2; }

        var full = BenchScenario.VirgoO3WithGlitches();
        int fs = full.SampleRate;
        long first = full.GpsStart.ToSampleIndex(fs);

        using (var cuda = ComputeDevice.Create(DeviceChoice.Cuda, 1))
        using (var cpu = ComputeDevice.Create(DeviceChoice.Cpu, Environment.ProcessorCount))
        {
            report["cuda_device"] = cuda.Description;
            Console.WriteLine($"device: {cuda.Description}");
            report["host_staging"] = StagingSelfTest(cuda);
            // agreement: 64 s of every component, and each witness channel
            var agree = new Dictionary<string, object>();
            var g = Generate(cuda, full, first, 64 * fs, 64);
            report["fft_backend_cuda"] = g.Fft;
            var c = Generate(cpu, full, first, 64 * fs, 64);
            agree["strain_all_components"] = Compare(c.X, g.X);
            var g2 = Generate(cuda, full, first, 64 * fs, 64);
            agree["cuda_rerun_bit_identical"] = g.X.AsSpan().SequenceEqual(g2.X);
            var g16 = Generate(cuda, full, first, 64 * fs, 16);
            agree["cuda_block16_vs_block64"] = Compare(g.X, g16.X);
            using (var f = File.Create(Path.Combine(outDir, "cuda_o3_64s_f32.raw")))
                f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(g.X.AsSpan()));
            var dist = new DisturbancePopulation(full);
            foreach (var w in full.Witnesses)
            {
                long wf = full.GpsStart.ToSampleIndex(w.SampleRate);
                var wc = GenerateWitness(cpu, full, w, dist, wf, 256L * w.SampleRate);
                var wg = GenerateWitness(cuda, full, w, dist, wf, 256L * w.SampleRate);
                agree["witness_" + w.Name] = Compare(wc, wg);
            }
            report["agreement"] = agree;
            foreach (var kv in agree) Console.WriteLine($"agreement {kv.Key}: {Show(kv.Value)}");

            // throughput: generation delivered to host memory, the engine's sink doing nothing else
            var speed = new Dictionary<string, object>();
            foreach (var (name, comp) in new[] { ("noise", SignalComponents.Noise), ("all_components", SignalComponents.All) })
            {
                var (t, fft) = Timed(cuda, full, first, (long)(seconds * fs), 64, comp);
                speed["cuda_" + name] = Rate(seconds, fs, t);
                Console.WriteLine($"cuda {name}: {seconds} s of data in {t:F3} s ({seconds / t:F0}x real time, {seconds * fs / t / 1e6:F0} M samples/s) [{fft}]");
            }
            // each component on top of the noise, and a synchronised stage breakdown, on both devices
            double part = Math.Min(seconds, 1024);
            var parts = new (string Name, SignalComponents C)[]
            {
                ("noise", SignalComponents.Noise),
                ("noise+lines", SignalComponents.Noise | SignalComponents.Lines),
                ("noise+glitches", SignalComponents.Noise | SignalComponents.Glitches),
                ("noise+injections", SignalComponents.Noise | SignalComponents.Injections),
                ("noise+aux", SignalComponents.Noise | SignalComponents.Aux),
                ("all", SignalComponents.All),
            };
            foreach (var (dname, dev) in new[] { ("cuda", cuda), ("cpu", cpu) })
            {
                foreach (var (pname, comp) in parts)
                {
                    var (t, _) = Timed(dev, full, first, (long)(part * fs), 64, comp);
                    speed[$"{dname}_{pname}"] = Rate(part, fs, t);
                    Console.WriteLine($"{dname} {pname}: {part} s in {t:F3} s ({part / t:F0}x real time)");
                }
                var stages = new StageTimes();
                Generate(dev, full, first, (long)(part * fs), 64, keep: false, SignalComponents.All, stages);
                report[$"stages_{dname}_all_{part}s"] = new { seconds = stages.Seconds, counts = stages.Counts };
                Console.WriteLine($"{dname} stages (all, {part} s, synchronised): " + string.Join(", ", stages.Seconds.Select(kv => $"{kv.Key} {kv.Value:F3}")) + "; " + string.Join(", ", stages.Counts.Select(kv => $"{kv.Key} {kv.Value}")));
            }
            foreach (var block in new[] { 16.0, 256.0 })
            {
                var (t, _) = Timed(cuda, full, first, (long)(seconds * fs), block, SignalComponents.Noise);
                speed[$"cuda_noise_block{block}"] = Rate(seconds, fs, t);
                Console.WriteLine($"cuda noise, block {block} s: {seconds} s in {t:F3} s ({seconds / t:F0}x real time)");
            }
            var nst = new StageTimes();
            Generate(cuda, full, first, (long)(seconds * fs), 64, keep: false, SignalComponents.Noise, nst);
            report["stages_cuda_noise"] = new { seconds = nst.Seconds, counts = nst.Counts };
            Console.WriteLine("cuda stages (noise, synchronised): " + string.Join(", ", nst.Seconds.Select(kv => $"{kv.Key} {kv.Value:F4}")));
            report["throughput"] = speed;
        }
        var path = Path.Combine(outDir, "gpucheck.json");
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    /// <summary>`components [SECONDS]`: each component's generation cost on this machine's CPU, and the stage times of all of them.</summary>
    public static void CpuComponents(double seconds)
    {
        var full = BenchScenario.VirgoO3WithGlitches();
        int fs = full.SampleRate;
        long first = full.GpsStart.ToSampleIndex(fs);
        using var cpu = ComputeDevice.Create(DeviceChoice.Cpu, Environment.ProcessorCount);
        foreach (var (name, c) in new[] { ("noise", SignalComponents.Noise), ("noise+lines", SignalComponents.Noise | SignalComponents.Lines),
            ("noise+glitches", SignalComponents.Noise | SignalComponents.Glitches), ("noise+injections", SignalComponents.Noise | SignalComponents.Injections),
            ("noise+aux", SignalComponents.Noise | SignalComponents.Aux), ("all", SignalComponents.All) })
        {
            // the fastest of three: this shared 2-core machine's noise is one-sided
            double t = Enumerable.Range(0, 3).Min(_ => Timed(cpu, full, first, (long)(seconds * fs), 64, c).Seconds);
            var st = new StageTimes();
            Generate(cpu, full, first, (long)(seconds * fs), 64, keep: false, c, st);
            Console.WriteLine($"cpu {name}: {seconds} s in {t:F3} s (fastest of 3); synchronised stages: "
                + string.Join(", ", st.Seconds.Where(kv => kv.Value >= 0.001).Select(kv => $"{kv.Key} {kv.Value:F3}")));
        }
        var stages = new StageTimes();
        Generate(cpu, full, first, (long)(seconds * fs), 64, keep: false, SignalComponents.All, stages);
        Console.WriteLine("stages (all, synchronised): " + string.Join(", ", stages.Seconds.Select(kv => $"{kv.Key} {kv.Value:F3}")) + "; " + string.Join(", ", stages.Counts.Select(kv => $"{kv.Key} {kv.Value}")));
    }

    /// <summary>Generation alone: the engine is built and warmed (kernels compiled, FFT plans made) before the clock starts.</summary>
    private static (double Seconds, string Fft) Timed(ComputeDevice device, Scenario s, long first, long n, double block, SignalComponents components)
    {
        using var engine = new NoiseEngine(device, s, block, components);
        engine.Generate(first, Math.Min(n, 2L * (long)(block * s.SampleRate)), (_, _) => { });
        var sw = Stopwatch.StartNew();
        engine.Generate(first, n, (_, _) => { });
        return (sw.Elapsed.TotalSeconds, engine.FftName);
    }

    private static (float[] X, string Fft) Generate(ComputeDevice device, Scenario s, long first, long n, double block, bool keep = true,
        SignalComponents components = SignalComponents.All, StageTimes? stages = null)
    {
        using var engine = new NoiseEngine(device, s, block, components) { Stages = stages };
        var x = keep ? new float[n] : [];
        engine.Generate(first, n, (span, at) => { if (keep) span.CopyTo(x.AsSpan((int)(at - first))); });
        return (x, engine.FftName);
    }

    /// <summary>Page-locked staging copies a known pattern back intact, or the check falls back to managed arrays.</summary>
    private static string StagingSelfTest(ComputeDevice cuda)
    {
        try
        {
            var pattern = Enumerable.Range(0, 1 << 20).Select(i => (float)i).ToArray();
            using var buf = cuda.Accelerator.Allocate1D(pattern);
            using var staging = cuda.StagingFor(pattern.Length)!;
            var back = ComputeDevice.ToHost(buf, 1000, 5000, staging);
            bool ok = back.Length == 5000 && back[0] == 1000f && back[4999] == 5999f;
            Console.WriteLine($"host staging: {staging.Kind}, pattern {(ok ? "intact" : "CORRUPT")}");
            if (!ok) HostStaging.PageLockedAllowed = false;
            return staging.Kind + (ok ? "" : " (corrupt: fell back to managed)");
        }
        catch (Exception e)
        {
            HostStaging.PageLockedAllowed = false;
            Console.WriteLine($"host staging failed ({e.GetType().Name}: {e.Message}); falling back to managed arrays");
            return "managed (page-locked failed: " + e.Message + ")";
        }
    }

    private static float[] GenerateWitness(ComputeDevice device, Scenario s, WitnessSpec w, DisturbancePopulation dist, long first, long n)
    {
        using var engine = new WitnessEngine(device, s, w, dist);
        var x = new float[n];
        engine.Generate(first, n, (span, at) => span.CopyTo(x.AsSpan((int)(at - first))));
        return x;
    }

    private static Dictionary<string, double> Compare(float[] a, float[] b)
    {
        double num = 0, den = 0, maxAbs = 0, peak = 0;
        long identical = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - (double)b[i];
            num += d * d;
            den += a[i] * (double)a[i];
            maxAbs = Math.Max(maxAbs, Math.Abs(d));
            peak = Math.Max(peak, Math.Abs(a[i]));
            if (a[i] == b[i]) identical++;
        }
        return new()
        {
            ["relative_rms_difference"] = den > 0 ? Math.Sqrt(num / den) : 0,
            ["max_abs_difference_over_peak"] = peak > 0 ? maxAbs / peak : 0,
            ["fraction_bit_identical"] = (double)identical / a.Length,
        };
    }

    private static Dictionary<string, double> Rate(double seconds, int fs, double t) => new()
    {
        ["data_seconds"] = seconds,
        ["wall_seconds"] = t,
        ["times_real_time"] = seconds / t,
        ["msamples_per_second"] = seconds * fs / t / 1e6,
    };

    private static string Show(object v) => v is Dictionary<string, double> d
        ? string.Join(", ", d.Select(kv => $"{kv.Key} {kv.Value:G3}"))
        : v.ToString() ?? "";
}
