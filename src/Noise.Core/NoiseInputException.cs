namespace Noise.Core;

/// <summary>
/// Bad input from a user: a scenario key, a curve file, a command-line value. The message is the one line
/// the CLI prints, so it names the file and the key or line at fault.
/// </summary>
public sealed class NoiseInputException : Exception
{
    public NoiseInputException(string message) : base(message) { }
    public NoiseInputException(string message, Exception inner) : base(message, inner) { }
    public NoiseInputException() { }
}
