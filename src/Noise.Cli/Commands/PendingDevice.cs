using Noise.Core;
using Noise.Simulation;

namespace Noise.Cli.Commands;

/// <summary>
/// An accelerator started on a worker thread while the command does the rest of its set-up (ILGPU's context and
/// CPU accelerator take ~0.1 s, as long as reading a scenario). <see cref="Take"/> waits for it and hands it over;
/// one never taken (an error or an early return first) is disposed once it exists, so nothing is left running.
/// </summary>
internal sealed class PendingDevice : IDisposable
{
    private readonly Task<ComputeDevice> _starting;
    private bool _taken;

    public PendingDevice(DeviceChoice choice, int threads)
    {
        _starting = Task.Run(() => ComputeDevice.Create(choice, threads));
    }

    /// <summary>The device (its start's error, such as no CUDA device for --device cuda, is thrown here).</summary>
    public ComputeDevice Take()
    {
        _taken = true;
        return _starting.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        if (_taken) return;
        // an error in starting it no longer matters: the command has already failed or returned for its own reason
        _starting.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); }, TaskScheduler.Default);
    }
}
