namespace Noise.Simulation.Transients;

/// <summary>Puts atoms given relative to a reference time onto a channel's absolute sample grid.</summary>
public static class AtomPlacement
{
    /// <summary>
    /// Atoms (offsets in seconds from <paramref name="tRef"/>, in GPS seconds) placed at rate fs: each gets its
    /// reference sample and sub-sample fraction and its support; [lo, hi) is the union of the supports.
    /// </summary>
    public static TransientAtom[] Place(IReadOnlyList<(double Offset, TransientAtom Atom)> shape, double tRef, int fs, out long lo, out long hi)
    {
        ArgumentNullException.ThrowIfNull(shape);
        double refSample = tRef * fs;
        var atoms = new TransientAtom[shape.Count];
        lo = long.MaxValue;
        hi = long.MinValue;
        for (int i = 0; i < shape.Count; i++)
        {
            var (offset, a) = shape[i];
            double c = refSample + offset * fs;
            long cs = (long)Math.Floor(c);
            a.CenterSample = cs;
            a.CenterFraction = (float)(c - cs);
            var (before, after) = GlitchWaveforms.Support(a);
            a.FirstSample = cs - (long)Math.Ceiling(before * fs) - 1;
            a.EndSample = cs + (long)Math.Ceiling(after * fs) + 2;
            atoms[i] = a;
            lo = Math.Min(lo, a.FirstSample);
            hi = Math.Max(hi, a.EndSample);
        }
        return atoms;
    }
}
