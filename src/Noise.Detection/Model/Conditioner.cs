namespace Noise.Detection.Model;

/// <summary>Strain at any supported rate to what the model reads: whitened against its own median PSD, at the model's rate.</summary>
public static class Conditioner
{
    public static double[] Condition(double[] x, double fs, DetectorSpec spec) => Condition(x, fs, spec, out _);

    /// <param name="notches">The bands (Hz) this conditioning notched. A baseline that re-tiles the output must leave
    /// them out: what is left there is leakage of the chunk's edges, and a Q row inside a notch, normalised by the
    /// median of that leakage, reached tile SNRs of 10^4-10^5 at the edges of the usable data (twin noise from a
    /// calibrated Virgo O2 curve, whose 36 Hz and 50 Hz notches join into one 34 Hz wide band).</param>
    public static double[] Condition(double[] x, double fs, DetectorSpec spec, out List<(double Lo, double Hi)> notches) => Condition(x, fs, spec, out notches, out _);

    /// <param name="gain">The whitening gain used (<see cref="Conditioning.Gain"/>): what a matched filter whitens its templates with.</param>
    public static double[] Condition(double[] x, double fs, DetectorSpec spec, out List<(double Lo, double Hi)> notches, out Func<double, double> gain)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var psd = Conditioning.EstimatePsd(x, fs, spec.Conditioning, whiteningOnly: true);
        // the notches once, for the whitening and for the caller
        var notched = Conditioning.Notches(psd, spec.Conditioning);
        notches = Conditioning.NotchBands(psd, notched);
        gain = Conditioning.Gain(psd, fs, spec.Conditioning, notched);
        return Conditioning.Whiten(x, fs, psd, spec.Conditioning, spec.SampleRate, notched);
    }
}
