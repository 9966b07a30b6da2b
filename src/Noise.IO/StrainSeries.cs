using Noise.Core;

namespace Noise.IO;

/// <summary>A read-back strain time series: epoch, rate, channel and samples (gwpy's TimeSeries in brief).</summary>
public sealed record StrainSeries(string Channel, double SampleRate, double GpsStart, double[] Data, string Source)
{
    public double Duration => Data.Length / SampleRate;
}
