namespace Noise.Streaming;

/// <summary>
/// The last Capacity samples of a stream, addressed by absolute sample index. Writes go forward; the samples
/// of a gap are written as NaN, so the ring always holds [End - Capacity, End) and anything outside reads as NaN.
/// Fixed memory whatever the stream's length.
/// </summary>
public sealed class SampleRing(int capacity)
{
    private readonly double[] _data = new double[capacity];

    public int Capacity => _data.Length;
    /// <summary>One past the last sample written (long.MinValue before the first write).</summary>
    public long End { get; private set; } = long.MinValue;

    private int Slot(long k) => (int)(((k % _data.Length) + _data.Length) % _data.Length);

    /// <summary>Writes values at [first, first + n); first must not lie before End (a gap up to first reads NaN).</summary>
    public void Write(long first, ReadOnlySpan<double> values)
    {
        if (End != long.MinValue && first < End) throw new ArgumentOutOfRangeException(nameof(first), "ring writes go forward only");
        if (End != long.MinValue && first > End)
        {
            long gapFrom = Math.Max(End, first - _data.Length);
            Fill(gapFrom, (int)(first - gapFrom), double.NaN);
        }
        if (values.Length > _data.Length) { first += values.Length - _data.Length; values = values[^_data.Length..]; }
        int slot = Slot(first), head = Math.Min(values.Length, _data.Length - slot);
        values[..head].CopyTo(_data.AsSpan(slot));
        values[head..].CopyTo(_data);
        End = first + values.Length;
    }

    private void Fill(long first, int n, double v)
    {
        int slot = Slot(first), head = Math.Min(n, _data.Length - slot);
        _data.AsSpan(slot, head).Fill(v);
        _data.AsSpan(0, n - head).Fill(v);
    }

    public double this[long k] => End != long.MinValue && k < End && k >= End - _data.Length ? _data[Slot(k)] : double.NaN;

    public void Read(long first, Span<double> dest)
    {
        dest.Fill(double.NaN);
        if (End == long.MinValue) return;
        long lo = Math.Max(first, End - _data.Length), hi = Math.Min(first + dest.Length, End);
        if (hi <= lo) return;
        int n = (int)(hi - lo), slot = Slot(lo), head = Math.Min(n, _data.Length - slot);
        var target = dest.Slice((int)(lo - first), n);
        _data.AsSpan(slot, head).CopyTo(target);
        _data.AsSpan(0, n - head).CopyTo(target[head..]);
    }
}
