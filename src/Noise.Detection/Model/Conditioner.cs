namespace Noise.Detection.Model;

/// <summary>Strain at any supported rate to what the model reads: whitened against its own median PSD, at the model's rate.</summary>
public static class Conditioner
{
    public static double[] Condition(double[] x, double fs, DetectorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var psd = Conditioning.EstimatePsd(x, fs, spec.Conditioning);
        return Conditioning.Whiten(x, fs, psd, spec.Conditioning, spec.SampleRate);
    }
}
