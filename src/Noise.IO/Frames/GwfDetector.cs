namespace Noise.IO.Frames;

/// <summary>
/// A frame's FrDetector: the interferometer's name, prefix, vertex (longitude and latitude in radians, elevation in
/// m), its arms (azimuths in radians east of north, altitudes in radians, midpoints in m along them) and its local
/// standard time minus UTC (s).
/// </summary>
public sealed record GwfDetector(string Name, string Prefix, double Longitude, double Latitude, double Elevation,
    double ArmXAzimuth, double ArmYAzimuth, double ArmXAltitude, double ArmYAltitude, double ArmXMidpoint, double ArmYMidpoint, int LocalTime)
{
    /// <summary>
    /// The sites of the detectors the twin simulates, by channel prefix: LALSuite's values (LALDetectors.h constants
    /// LAL_VIRGO_DETECTOR_*, LAL_LHO_4K_DETECTOR_*, LAL_LLO_4K_DETECTOR_*); null for any other prefix.
    /// </summary>
    public static GwfDetector? Known(string prefix) => prefix switch
    {
        "V1" => new("VIRGO", "V1", 0.18333805213, 0.76151183984, 51.884, 0.33916285222, 5.05155183261, 0, 0, 1500, 1500, 3600),
        "H1" => new("LHO_4k", "H1", -2.08405676917, 0.81079526383, 142.554, 5.65487724844, 4.08408092164, -0.0006195, 0.0000125, 1997.542, 1997.522, -8 * 3600),
        "L1" => new("LLO_4k", "L1", -1.58430937078, 0.53342313506, -6.574, 4.40317772346, 2.83238139666, -0.0003121, -0.0006107, 1997.575, 1997.575, -6 * 3600),
        _ => null,
    };
}
