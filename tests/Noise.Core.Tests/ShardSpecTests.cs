namespace Noise.Core.Tests;

public class ShardSpecTests
{
    private static Func<string, string?> Env(params (string K, string V)[] vars) =>
        k => vars.FirstOrDefault(v => v.K == k).V;

    [Fact]
    public void ExplicitFlag()
    {
        var s = ShardSpec.Resolve("2/4", Env())!;
        Assert.Equal((2, 4, "--shard flag"), (s.Index, s.Count, s.Source));
        Assert.Equal("shard-0002-of-0004", s.FolderName);
        Assert.Null(ShardSpec.Resolve(null, Env(("SLURM_ARRAY_TASK_ID", "3"))));
    }

    [Fact]
    public void KubernetesIndexComesFirstThenSlurm()
    {
        var k = ShardSpec.Resolve("env/8", Env(("JOB_COMPLETION_INDEX", "5"), ("SLURM_ARRAY_TASK_ID", "1")))!;
        Assert.Equal((5, 8), (k.Index, k.Count));
        Assert.Contains("JOB_COMPLETION_INDEX", k.Source, StringComparison.Ordinal);
        var s = ShardSpec.Resolve("env", Env(("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")))!;
        Assert.Equal((2, 4), (s.Index, s.Count));
        Assert.Contains("SLURM_ARRAY_TASK_ID", s.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4/4", "index '4' must be an integer in 0..3")]
    [InlineData("1/0", "must be a positive integer")]
    [InlineData("x", "needs a count")]
    [InlineData("1/2/3", "is not I/N")]
    [InlineData("env", "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID")]
    public void BadShardsAreClearErrors(string text, string message)
    {
        var e = Assert.Throws<NoiseInputException>(() => ShardSpec.Resolve(text, Env()));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KubernetesWithoutCountAndOutOfRangeIndex()
    {
        Assert.Throws<NoiseInputException>(() => ShardSpec.Resolve("env", Env(("JOB_COMPLETION_INDEX", "0"))));
        Assert.Throws<NoiseInputException>(() => ShardSpec.Resolve("env/2", Env(("JOB_COMPLETION_INDEX", "2"))));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    [InlineData(7)]
    public void RangesTileTheRunOnWholeSeconds(int n)
    {
        long total = 100L * 16384, next = 0;
        for (int i = 0; i < n; i++)
        {
            var (first, count) = new ShardSpec(i, n, "test").Range(total, 16384);
            Assert.Equal(next, first);
            Assert.Equal(0, first % 16384);
            next = first + count;
        }
        Assert.Equal(total, next);
    }
}
