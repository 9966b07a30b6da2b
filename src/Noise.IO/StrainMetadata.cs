using Noise.Core;

namespace Noise.IO;

/// <summary>What every strain file we write records about itself (Parquet key-value metadata, HDF5 attributes).</summary>
public sealed record StrainMetadata
{
    /// <summary>Version of the file layouts documented in README.md; bump on any incompatible change.</summary>
    public const string SchemaVersion = "1";

    public required string Channel { get; init; }
    public required int SampleRate { get; init; }
    public required GpsTime GpsStart { get; init; }
    public required long Samples { get; init; }
    public string Unit { get; init; } = "strain";
    public long Seed { get; init; }
    public string ScenarioName { get; init; } = "";
    public string ScenarioHash { get; init; } = "";
    public string SoftwareVersion { get; init; } = "";
    /// <summary>
    /// The state vector for GPS seconds GpsStart.Seconds + i, or null when the detector is always ready: the
    /// HDF5 DQmask clears every bit of the seconds that are not analysis-ready ((state &amp; 3) != 3).
    /// </summary>
    public IReadOnlyList<int>? StateBySecond { get; init; }

    public string Detector => Channel.Split(':')[0];
    public double Duration => (double)Samples / SampleRate;
}
