using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Noise.Detection.Model;

/// <summary>
/// A 1-D convolutional network over one window of whitened strain (<see cref="DetectorSpec.WindowSamples"/>
/// samples at <see cref="DetectorSpec.SampleRate"/>): six strided convolution blocks (each halving the time axis),
/// a small dense layer, then two heads: class logits (the glitch families, the astrophysical chirp and "none")
/// and the transient's time within the window (0..1, a sigmoid). Windows are independent, so sliding-window
/// inference on a stream is a batch of windows.
/// </summary>
public sealed class GlitchNet : Module<Tensor, (Tensor Logits, Tensor Time)>
{
    private readonly Sequential _features;
    private readonly Sequential _dense;
    private readonly Linear _classes;
    private readonly Linear _time;

    public GlitchNet(int classes, int windowSamples) : base(nameof(GlitchNet))
    {
        int[] channels = [1, 16, 32, 32, 64, 64, 64];
        int[] kernels = [16, 9, 9, 9, 9, 5];
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i < kernels.Length; i++)
        {
            blocks.Add(($"conv{i}", Conv1d(channels[i], channels[i + 1], kernels[i], stride: 2, padding: kernels[i] / 2)));
            blocks.Add(($"norm{i}", BatchNorm1d(channels[i + 1])));
            blocks.Add(($"relu{i}", ReLU()));
        }
        _features = Sequential(blocks);
        if (windowSamples < 64 * 16) throw new ArgumentException("a window must hold at least 1024 samples", nameof(windowSamples));
        _dense = Sequential(
            ("pool", AdaptiveAvgPool1d(16)),
            ("flatten", Flatten()),
            ("fc", Linear(64 * 16, 128)),
            ("relu", ReLU()),
            ("drop", Dropout(0.1)));
        _classes = Linear(128, classes);
        _time = Linear(128, 1);
        RegisterComponents();
    }

    /// <param name="x">[batch, window samples] whitened strain.</param>
    public override (Tensor Logits, Tensor Time) forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = _dense.forward(_features.forward(x.unsqueeze(1)));
        var logits = _classes.forward(h);
        var time = functional.sigmoid(_time.forward(h)).squeeze(1);
        return (logits.MoveToOuterDisposeScope(), time.MoveToOuterDisposeScope());
    }
}
