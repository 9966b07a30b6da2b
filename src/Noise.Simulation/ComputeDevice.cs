using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Noise.Core;
using Noise.Simulation.Fft;

namespace Noise.Simulation;

/// <summary>
/// One ILGPU context and accelerator (CUDA or the CPU accelerator) with its FFT backend. "auto" takes the first
/// CUDA device when one is present, else the CPU. <see cref="Description"/> says which device ran.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    private readonly Context _context;

    private ComputeDevice(Context context, Accelerator accelerator, int threads)
    {
        _context = context;
        Accelerator = accelerator;
        Threads = threads;
    }

    public Accelerator Accelerator { get; }
    public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>Staging memory for <see cref="ToHost"/>: needed on CUDA (page-locked, so copies run at full bus speed), null on the CPU (its memory is the host's).</summary>
    public HostStaging? StagingFor(long length) => IsCuda ? new HostStaging(Accelerator, length) : null;

    /// <summary>
    /// Elements [offset, offset + length) of a synchronised buffer on the host: the CPU accelerator's memory in
    /// place, or a copy into <paramref name="staging"/> (from <see cref="StagingFor"/>) on CUDA.
    /// </summary>
    public static unsafe ReadOnlySpan<float> ToHost(MemoryBuffer1D<float, Stride1D.Dense> buffer, long offset, long length, HostStaging? staging)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (staging is null)
            return new ReadOnlySpan<float>((float*)buffer.NativePtr + offset, checked((int)length));
        return staging.CopyFrom(buffer, offset, checked((int)length));
    }

    /// <summary>Host threads used by the CPU accelerator and the CPU FFT (1 per core by default).</summary>
    public int Threads { get; }

    public string Description => IsCuda
        ? $"cuda: {Accelerator.Name} ({((CudaAccelerator)Accelerator).Architecture}, {Accelerator.MemorySize / (1 << 20)} MiB)"
        : $"cpu: ILGPU CPU accelerator, {Threads} thread{(Threads == 1 ? "" : "s")} ({RuntimeInformation.ProcessArchitecture})";

    /// <summary>The FFT backend that goes with this accelerator, for segments of length <paramref name="n"/> whose bins sit <paramref name="binSlotFloats"/> floats apart.</summary>
    public IInverseFftBackend CreateInverseFft(int n, int binSlotFloats)
    {
        if (!IsCuda) return new CpuFftBackend(n, binSlotFloats, Threads);
        try
        {
            return new CuFftBackend((CudaAccelerator)Accelerator, n, binSlotFloats);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            throw new NoiseInputException($"CUDA device found but cuFFT could not be loaded ({e.Message}); use the CUDA image (containers/Dockerfile.cuda) or install libcufft 10-12, or run with --device cpu");
        }
    }

    /// <summary>The FFT backend name without building one (for `noise info`).</summary>
    public string FftBackendName => IsCuda ? "cuFFT (ILGPU.Algorithms)" : "managed real FFT (radix-2 Stockham, Vector256)";

    public static ComputeDevice Create(DeviceChoice choice, int threads)
    {
        threads = Math.Max(1, threads);
        var cpu = new CPUDevice(4, 1, threads);
        bool useCuda = false;
        if (choice != DeviceChoice.Cpu)
        {
            useCuda = ListCudaDevices().Count > 0;
            if (choice == DeviceChoice.Cuda && !useCuda)
                throw new NoiseInputException("device cuda was requested but ILGPU found no CUDA device (is the NVIDIA driver's libcuda visible, e.g. apptainer --nv?)");
        }
        // The CPU context stays without ILGPU.Algorithms: its remapping would replace MathF.Sqrt in the CPU
        // kernels by a software XMath version (measured 15 % slower generation). CUDA takes XMath for exp/sin.
        var context = useCuda
            ? Context.Create(b => b.Cuda().EnableAlgorithms())
            : Context.Create(b => b.CPU(cpu));
        try
        {
            Accelerator acc = useCuda ? context.CreateCudaAccelerator(0) : cpu.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel);
            return new ComputeDevice(context, acc, threads);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>CUDA devices ILGPU can see, for `noise info`; empty where there is no driver.</summary>
    public static IReadOnlyList<string> ListCudaDevices()
    {
        EnsureCudaDriverResolvable();
        using var context = CreateWithCuda(CPUDevice.Default);
        var list = new List<string>();
        foreach (var d in context.GetCudaDevices())
            list.Add($"{d.Name} ({d.Architecture}, {d.MemorySize / (1 << 20)} MiB, driver {d.DriverVersion})");
        return list;
    }

    private static Context CreateWithCuda(CPUDevice cpu)
    {
        try { return Context.Create(b => b.CPU(cpu).Cuda()); }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or CudaException)
        {
            return Context.Create(b => b.CPU(cpu));
        }
    }

    private static int _resolverSet;

    /// <summary>
    /// ILGPU loads the driver as "libcuda.so", which some hosts only provide as libcuda.so.1 (the runtime
    /// package without the -dev link): map one to the other where needed.
    /// </summary>
    private static void EnsureCudaDriverResolvable()
    {
        if (Interlocked.Exchange(ref _resolverSet, 1) == 1) return;
        if (NativeLibrary.TryLoad("libcuda.so", out var h)) { NativeLibrary.Free(h); return; }
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var h1)) return;
        NativeLibrary.Free(h1);
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, (name, asm, path) =>
                name.Contains("cuda", StringComparison.OrdinalIgnoreCase) && !name.Contains("cufft", StringComparison.OrdinalIgnoreCase)
                    && NativeLibrary.TryLoad("libcuda.so.1", out var lib) ? lib : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // ILGPU installed its own resolver (WSL); leave it.
        }
    }

    public static string IlgpuVersion =>
        typeof(Context).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}
