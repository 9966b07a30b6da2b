using Noise.Core;
using Parquet;
using Parquet.Schema;
using PureHDF;
using PureHDF.Selections;

namespace Noise.IO;

/// <summary>
/// Streams the float32 samples of a file we wrote (Parquet row group by row group, HDF5 slab by slab), in
/// order and in constant memory: what merging shards needs.
/// </summary>
public static class StrainChunkReader
{
    private const int Slab = 1 << 20;

    public static long ReadAll(string path, Action<ReadOnlySpan<float>> sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".parquet" => ReadParquetAsync(path, sink).GetAwaiter().GetResult(),
            ".hdf5" or ".h5" => ReadHdf5(path, sink),
            // a frame's first channel: the strain (or the witness) that noise's writers put first, before the state vector
            ".gwf" => ReadFrame(path, sink),
            var e => throw new NoiseInputException($"{path}: cannot stream '{e}' files"),
        };
    }

    private static long ReadFrame(string path, Action<ReadOnlySpan<float>> sink)
    {
        var data = Frames.GwfReader.ReadAll(path)[0].Data;
        var f = new float[data.Length];
        for (int i = 0; i < f.Length; i++) f[i] = (float)data[i];   // written as float32: exact
        sink(f);
        return f.Length;
    }

    private static async Task<long> ReadParquetAsync(string path, Action<ReadOnlySpan<float>> sink)
    {
        await using var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name != "time" && f.ClrType == typeof(float))
            ?? throw new NoiseInputException($"{path}: no float32 strain column");
        long n = 0;
        float[] buf = [];
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int rows = checked((int)rg.RowCount);
            if (buf.Length < rows) buf = new float[rows];
            await rg.ReadAsync<float>(field, buf.AsMemory(0, rows)).ConfigureAwait(false);
            sink(buf.AsSpan(0, rows));
            n += rows;
        }
        return n;
    }

    private static long ReadHdf5(string path, Action<ReadOnlySpan<float>> sink)
    {
        using var file = H5File.OpenRead(path);
        var ds = file.Dataset("strain/Strain");
        if (ds.Type.Size != 4) throw new NoiseInputException($"{path}: /strain/Strain is not float32 (not written by noise?)");
        long total = (long)ds.Space.Dimensions[0];
        for (long at = 0; at < total; at += Slab)
        {
            long count = Math.Min(Slab, total - at);
            var data = ds.Read<float[]>(fileSelection: new HyperslabSelection((ulong)at, (ulong)count));
            sink(data);
        }
        return total;
    }
}
