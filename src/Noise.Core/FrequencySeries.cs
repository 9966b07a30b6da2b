namespace Noise.Core;

/// <summary>Values on a uniform frequency grid f_k = F0 + k * DeltaF (gwpy's FrequencySeries).</summary>
public sealed record FrequencySeries(double F0, double DeltaF, double[] Values)
{
    public int Length => Values.Length;
    public double FrequencyAt(int k) => F0 + k * DeltaF;
}
