namespace Noise.IO;

/// <summary>
/// A sink for one channel's samples, in order. Nothing appears under the final name until
/// <see cref="Complete"/>; disposing an incomplete writer removes its temporary file.
/// </summary>
public interface IStrainWriter : IDisposable
{
    string FinalPath { get; }
    string Format { get; }
    void Append(ReadOnlySpan<float> samples);
    /// <summary>Flushes, checks the sample count and renames the file into place.</summary>
    void Complete();
    /// <summary>The finished file's SHA-256 where the writer took it while writing (lower-case hex), else null (run.json then reads the file).</summary>
    string? Sha256 => null;
}
