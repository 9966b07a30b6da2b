using Noise.Core;
using Parquet;
using Parquet.Schema;

namespace Noise.IO;

/// <summary>
/// The detector's state vector at 1 Hz as Parquet: <c>time</c> (float64 GPS second) and the state channel
/// (int32, e.g. <c>V1:DQ_ANALYSIS_STATE_VECTOR</c>; analysis-ready when (state &amp; 3) == 3). Written atomically.
/// </summary>
public static class StateVectorFile
{
    public const string Format = "state-vector";

    public static void Write(string path, string channel, long firstSecond, IReadOnlyList<int> states, IReadOnlyDictionary<string, string> metadata)
    {
        using var file = new AtomicFile(path);
        WriteUncommitted(file, channel, firstSecond, states, metadata);
        file.Commit();
    }

    /// <summary>
    /// Writes the file at <paramref name="file"/>'s temporary path and leaves the commit to the caller: a run writes
    /// its state vector while the strain is generated and renames it into place only once the strain is complete.
    /// </summary>
    public static void WriteUncommitted(AtomicFile file, string channel, long firstSecond, IReadOnlyList<int> states, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(file);
        WriteAsync(file.TempPath, channel, firstSecond, states, metadata).GetAwaiter().GetResult();
    }

    private static async Task WriteAsync(string tempPath, string channel, long firstSecond, IReadOnlyList<int> states, IReadOnlyDictionary<string, string> metadata)
    {
        var time = new DataField<double>("time");
        var state = new DataField<int>(channel);
        await using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(time, state), stream,
                new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = System.IO.Compression.CompressionLevel.Fastest }).ConfigureAwait(false);
            var meta = metadata.ToDictionary();
            meta["channel"] = channel;
            meta["sample_rate"] = "1";
            meta["ready_when"] = "(state & 3) == 3";
            meta["bits"] = "bit 0: interferometer locked; bit 1: science mode; bit 2: h(t) reconstruction running";
            writer.CustomMetadata = meta;
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(time, new ReadOnlyMemory<double>(Enumerable.Range(0, states.Count).Select(i => (double)(firstSecond + i)).ToArray())).ConfigureAwait(false);
            await rg.WriteAsync(state, new ReadOnlyMemory<int>(states.ToArray())).ConfigureAwait(false);
        }
    }

    /// <summary>(first GPS second, states) of a file written by <see cref="Write"/>.</summary>
    public static (long FirstSecond, int[] States) Read(string path) => ReadAsync(path).GetAwaiter().GetResult();

    private static async Task<(long, int[])> ReadAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        var times = new List<double>();
        var states = new List<int>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = (int)rg.RowCount;
            var t = new double[n];
            var s = new int[n];
            await rg.ReadAsync<double>(fields[0], t.AsMemory()).ConfigureAwait(false);
            await rg.ReadAsync<int>(fields[1], s.AsMemory()).ConfigureAwait(false);
            times.AddRange(t);
            states.AddRange(s);
        }
        if (times.Count == 0) throw new NoiseInputException($"{path}: empty state vector");
        return ((long)times[0], states.ToArray());
    }
}
