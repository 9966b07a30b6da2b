using System.Diagnostics;
using Spectre.Console;

namespace Noise.Cli.Commands;

/// <summary>
/// Progress for long runs: a live bar on a terminal, plain "progress: 40% ..." lines (every 10 %) when
/// stderr is redirected to a log (Slurm, Kubernetes), so HPC logs stay readable.
/// </summary>
internal sealed class ProgressReporter
{
    private readonly long _total;
    private readonly string _label;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lastDecile = -1;

    public ProgressReporter(string label, long total)
    {
        _label = label;
        _total = Math.Max(1, total);
    }

    public static bool Interactive => !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, which reports how many units are done.</summary>
    public void Run(Action<Action<long>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Interactive)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(_label, maxValue: _total);
                    work(done => task.Value = done);
                });
        }
        else
        {
            work(Plain);
        }
    }

    private void Plain(long done)
    {
        int decile = (int)(10 * done / _total);
        if (decile <= _lastDecile) return;
        _lastDecile = decile;
        double secs = _clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"progress: {_label} {10 * decile,3}% ({done}/{_total}) after {secs:F1} s");
    }
}
