using System.Globalization;

namespace Noise.Core;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> of a run, split by GPS range, and where the index came from
/// (the --shard flag, a Kubernetes Indexed Job or a Slurm array), so that logs can say it.
/// </summary>
public sealed record ShardSpec(int Index, int Count, string Source)
{
    /// <summary>
    /// Resolves --shard: "I/N" (explicit), "env/N" (index from JOB_COMPLETION_INDEX, else SLURM_ARRAY_TASK_ID),
    /// "env" (index and count from the Slurm array: SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN and
    /// SLURM_ARRAY_TASK_COUNT). Returns null when <paramref name="text"/> is null (no sharding).
    /// </summary>
    public static ShardSpec? Resolve(string? text, Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (text is null) return null;
        var parts = text.Split('/');
        if (parts.Length > 2 || parts[0].Length == 0)
            throw new NoiseInputException($"--shard: '{text}' is not I/N, env/N or env");
        int? count = null;
        if (parts.Length == 2)
        {
            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                throw new NoiseInputException($"--shard: shard count '{parts[1]}' must be a positive integer");
            count = n;
        }
        if (parts[0] != "env")
        {
            if (count is null) throw new NoiseInputException($"--shard: '{text}' needs a count, as in {text}/4");
            if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i >= count)
                throw new NoiseInputException($"--shard: index '{parts[0]}' must be an integer in 0..{count - 1}");
            return new ShardSpec(i, count.Value, "--shard flag");
        }

        if (env("JOB_COMPLETION_INDEX") is { } jci)
        {
            if (count is null) throw new NoiseInputException("--shard env: JOB_COMPLETION_INDEX gives the index but not the count; use --shard env/N (N = the Job's completions)");
            return Checked(jci, "JOB_COMPLETION_INDEX", 0, count.Value, "Kubernetes Indexed Job (JOB_COMPLETION_INDEX)");
        }
        if (env("SLURM_ARRAY_TASK_ID") is { } sid)
        {
            int min = 0;
            if (env("SLURM_ARRAY_TASK_MIN") is { } smin && !int.TryParse(smin, NumberStyles.Integer, CultureInfo.InvariantCulture, out min))
                throw new NoiseInputException($"--shard env: SLURM_ARRAY_TASK_MIN='{smin}' is not an integer");
            int n;
            if (count is { } c) n = c;
            else if (!int.TryParse(env("SLURM_ARRAY_TASK_COUNT"), NumberStyles.None, CultureInfo.InvariantCulture, out n) || n < 1)
                throw new NoiseInputException("--shard env: SLURM_ARRAY_TASK_COUNT is missing or not a positive integer; use --shard env/N");
            return Checked(sid, "SLURM_ARRAY_TASK_ID", min, n, "Slurm array (SLURM_ARRAY_TASK_ID)");
        }
        throw new NoiseInputException("--shard env: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set; pass --shard I/N");
    }

    private static ShardSpec Checked(string value, string name, int offset, int count, string source)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var raw) || raw - offset < 0 || raw - offset >= count)
            throw new NoiseInputException($"--shard env: {name}='{value}' is not an index in {offset}..{offset + count - 1}");
        return new ShardSpec(raw - offset, count, source);
    }

    /// <summary>
    /// This shard's samples [first, first + count) of a run of <paramref name="totalSamples"/> samples. Cuts fall
    /// on whole seconds when the run is a whole number of seconds, so shard files carry integer GPS times.
    /// </summary>
    public (long FirstOffset, long Samples) Range(long totalSamples, int sampleRate)
    {
        long unit = totalSamples % sampleRate == 0 ? sampleRate : 1;
        long units = totalSamples / unit;
        if (units < Count)
            throw new NoiseInputException($"--shard: {Count} shards of a run of {totalSamples} samples would leave some empty");
        long a = units * Index / Count * unit;
        long b = units * (Index + 1) / Count * unit;
        return (a, b - a);
    }

    public string FolderName => string.Create(CultureInfo.InvariantCulture, $"shard-{Index:D4}-of-{Count:D4}");
}
