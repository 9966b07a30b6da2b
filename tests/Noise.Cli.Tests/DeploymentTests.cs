using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Noise.Cli.Tests;

/// <summary>
/// The Kubernetes manifests and Slurm scripts in containers/: valid against the Kubernetes API types with the
/// interLink fields (tests/tools/validate-k8s.mjs), and every `noise` command line in them accepted by the
/// real CLI parser, so a renamed flag breaks this test and not a job on a GPU node.
/// </summary>
public partial class DeploymentTests
{
    private static string Containers => Path.Combine(CliHarness.RepoRoot(), "containers");


    [Fact]
    public void ManifestsValidateAgainstTheKubernetesApiAndInterLink()
    {
        var tools = Path.Combine(CliHarness.RepoRoot(), "tests", "tools");
        Assert.True(Directory.Exists(Path.Combine(tools, "node_modules", "kubernetes-models")), "run `npm ci` in tests/tools (tests/run.sh does)");
        var files = Directory.GetFiles(Path.Combine(Containers, "k8s"), "*.yaml");
        Assert.True(files.Length >= 4);
        var (code, output) = CliHarness.Process("node", [Path.Combine(tools, "validate-k8s.mjs"), .. files]);
        Assert.True(code == 0, output);
        Assert.Equal(files.Length, output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }

    [Fact]
    public void ManifestCommandsParseWithTheRealCli()
    {
        int checkedCommands = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(Containers, "k8s"), "*.yaml"))
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(file)));
            foreach (var command in FindCommands(stream.Documents[0].RootNode))
            {
                Assert.Equal("noise", command[0]);
                var args = command.Skip(1).ToArray();
                var errors = Program.ParseErrors(args);
                Assert.True(errors.Count == 0, $"{Path.GetFileName(file)}: {string.Join(' ', command)}: {string.Join("; ", errors)}");
                checkedCommands++;
            }
        }
        Assert.True(checkedCommands >= 4);
    }

    [GeneratedRegex(@"\$NOISE_RUN (?<args>(simulate|merge)(?:[^\n\\]|\\\n)*)")]
    private static partial Regex SlurmCommand();

    [Fact]
    public void SlurmScriptsAreValidBashAndUseRealFlags()
    {
        var scripts = Directory.GetFiles(Path.Combine(Containers, "slurm"));
        foreach (var s in scripts)
        {
            var (code, output) = CliHarness.Process("bash", "-n", s);
            Assert.True(code == 0, $"{s}: {output}");
        }
        var flags = new List<string>();
        foreach (var s in scripts.Where(f => f.EndsWith(".sbatch", StringComparison.Ordinal)))
            foreach (Match m in SlurmCommand().Matches(File.ReadAllText(s)))
                flags.AddRange(Regex.Matches(m.Groups["args"].Value, @"--[a-z-]+").Select(x => x.Value));
        Assert.Contains("--shard", flags);
        var help = CliHarness.Run("simulate", "--help").Out + CliHarness.Run("merge", "--help").Out;
        foreach (var f in flags.Distinct()) Assert.Contains(f, help, StringComparison.Ordinal);
    }

    private static IEnumerable<string[]> FindCommands(YamlNode node)
    {
        if (node is YamlMappingNode map)
        {
            foreach (var (k, v) in map.Children)
            {
                if (((YamlScalarNode)k).Value == "command" && v is YamlSequenceNode seq)
                    yield return seq.Children.Select(c => ((YamlScalarNode)c).Value!).ToArray();
                else
                    foreach (var c in FindCommands(v)) yield return c;
            }
        }
        else if (node is YamlSequenceNode list)
        {
            foreach (var item in list.Children)
                foreach (var c in FindCommands(item)) yield return c;
        }
    }
}
