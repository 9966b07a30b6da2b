using System.CommandLine;
using Noise.Cli.Commands;
using Noise.Core;

namespace Noise.Cli;

/// <summary>
/// The `noise` command. Parses arguments, runs one verb, and turns any input error into one line on stderr and
/// a non-zero exit code (2 for bad usage or input, 1 for a failure while running).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        NativeHeap.KeepFreedMemory();
        var root = BuildRoot();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var verb = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
            // one line, whatever the parser says: errors joined, its multi-line lists folded
            var message = string.Join("; ", parse.Errors.Select(e => string.Join(' ', e.Message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))));
            Console.Error.WriteLine($"noise: {message} (see 'noise{verb} --help')");
            return 2;
        }
        try
        {
            // on Ctrl-C / SIGTERM the running command is cancelled and given 10 s to finish cleanly (a simulation
            // removes its partial files) before the process ends anyway. `noise stream` handles both signals itself,
            // with handlers that live until the process exits, so System.CommandLine's is left out there: a signal
            // that met a stream just finishing found that handler's token source disposed, and its
            // ObjectDisposedException on the signal thread crashed the process (CI, once in a run of 6 tries)
            bool ownSignals = parse.CommandResult.Command.Name == "stream";
            return parse.Invoke(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = ownSignals ? null : TimeSpan.FromSeconds(10),
            });
        }
        catch (NoiseInputException e)
        {
            Console.Error.WriteLine($"noise: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("noise: interrupted; no partial output was left under a final name");
            return 130;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"noise: {e.Message}");
            return 1;
        }
    }

    /// <summary>Every verb and flag of `noise`.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "noise - the Virgo noise digital twin.\n" +
            "Simulates detector strain on a GPU or CPU: coloured Gaussian noise from measured or design noise curves,\n" +
            "spectral lines, glitches of many families and compact-binary injections, with a ground-truth catalogue;\n" +
            "writes Parquet and GWOSC-layout HDF5, checks spectra (psd) and draws Q-transforms (qscan); measures real strain\n" +
            "into a scenario that reproduces it (calibrate). Runs split\n" +
            "across nodes by index (--shard) join with `noise merge`. Trains and evaluates a glitch detector on the twin\n" +
            "(train, evaluate), runs it on files (detect, run) and on live streams with triggers in about a second (stream).\n\n" +
            "Start with:  noise simulate --config configs/virgo-o3.yaml --duration 64 --out out/\n" +
            "Then:        noise psd --in out/<file>.hdf5 --config configs/virgo-o3.yaml --plot out/asd.png");
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(PsdCommand.Create());
        root.Subcommands.Add(CalibrateCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(QScanCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(DetectCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(StreamCommand.Create());
        return root;
    }

    /// <summary>Parses a command line without running it (tests check job scripts and manifests with it).</summary>
    public static IReadOnlyList<string> ParseErrors(string[] args) =>
        BuildRoot().Parse(args).Errors.Select(e => e.Message).ToList();

    public static string Version =>
        (typeof(Program).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .FirstOrDefault() as System.Reflection.AssemblyInformationalVersionAttribute)?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
