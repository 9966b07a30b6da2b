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
/// With <see cref="DetectorSpec.TimeFrequencyBranch"/> a second branch reads the window's low-band spectrogram
/// (<see cref="Spectrogram"/>) through four strided 2-D convolution blocks, and the dense layer reads both
/// branches. It is built for scattered-light arches (fringes at up to 15-45 Hz and two harmonics, 1-3 s long),
/// the family the time-series branch (receptive field ~0.2 s, ~6 cycles at 30 Hz) misses most: near an arch's top
/// its frequency stays within ~2 Hz for ~0.5 s, so 0.5 s segments (2 Hz bins) hold it in one pixel, where 8 Hz
/// bins of 0.125 s segments (tried first: no gain on arches) dilute it with four times the noise.
/// </summary>
public sealed class GlitchNet : Module<Tensor, (Tensor Logits, Tensor Time)>
{
    /// <summary>Spectrogram segments: 1024 samples (0.5 s, 2 Hz bins at 2048 Hz), every 64 samples, Hann-windowed.</summary>
    public const int SegmentSamples = 1024, SegmentStep = 64;
    /// <summary>Spectrogram bins kept: 5..80, i.e. 10-160 Hz at 2048 Hz (arches and their third harmonic).</summary>
    public const int FirstBin = 5, Bins = 76;

    private readonly Sequential _features;
    private readonly Sequential _dense;
    private readonly Sequential? _pool;
    private readonly Sequential? _timeFrequency;
    private readonly Linear _classes;
    private readonly Linear _time;

    public GlitchNet(int classes, int windowSamples, bool timeFrequency = false) : base(nameof(GlitchNet))
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
        if (!timeFrequency)
        {
            // the first architecture (models without the spectrogram branch): pooling inside the dense block
            _dense = Sequential(
                ("pool", AdaptiveAvgPool1d(16)),
                ("flatten", Flatten()),
                ("fc", Linear(64 * 16, 128)),
                ("relu", ReLU()),
                ("drop", Dropout(0.1)));
        }
        else
        {
            _pool = Sequential(("pool", AdaptiveAvgPool1d(16)), ("flatten", Flatten()));
            int[] tfChannels = [1, 16, 32, 32, 64];
            var tf = new List<(string, Module<Tensor, Tensor>)>();
            for (int i = 0; i < 4; i++)
            {
                tf.Add(($"conv{i}", Conv2d(tfChannels[i], tfChannels[i + 1], 3, stride: 2, padding: 1)));
                tf.Add(($"norm{i}", BatchNorm2d(tfChannels[i + 1])));
                tf.Add(($"relu{i}", ReLU()));
            }
            tf.Add(("pool", AdaptiveAvgPool2d([4, 4])));
            tf.Add(("flatten", Flatten()));
            _timeFrequency = Sequential(tf);
            _dense = Sequential(("fc", Linear(64 * 16 + 64 * 16, 128)), ("relu", ReLU()), ("drop", Dropout(0.1)));
        }
        _classes = Linear(128, classes);
        _time = Linear(128, 1);
        RegisterComponents();
    }

    /// <summary>The network a model description asks for.</summary>
    public static GlitchNet For(DetectorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new GlitchNet(spec.Classes.Count, spec.WindowSamples, spec.TimeFrequencyBranch);
    }

    /// <summary>
    /// [batch, 1, bins, segments]: ln(1 + P) of each Hann-windowed segment's power, normalised so that whitened
    /// unit-variance noise has mean power 1 in every bin. No parameters: PyTorch users recompute it from these
    /// constants (torch.fft.rfft over x.unfold(1, 1024, 64) times a periodic Hann window, bins 5..80).
    /// </summary>
    /// <summary>
    /// The exponent as a Scalar that lives as long as the process: an implicitly converted one can be finalized by a
    /// garbage collection that another thread triggers while libtorch still reads it (seen: "INTERNAL ASSERT FAILED
    /// at Scalar.h" in pow, scoring in the stream while its baseline thread allocated).
    /// </summary>
    private static readonly Scalar Two = 2;

    public static Tensor Spectrogram(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        var window = hann_window(SegmentSamples, periodic: true, dtype: x.dtype, device: x.device);
        var segments = x.unfold(1, SegmentSamples, SegmentStep) * window;
        var power = fft.rfft(segments, dim: 2).abs().pow(Two) / window.pow(Two).sum();
        var kept = power.narrow(2, FirstBin, Bins);
        return kept.log1p().transpose(1, 2).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <param name="x">[batch, window samples] whitened strain.</param>
    public override (Tensor Logits, Tensor Time) forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var series = _features.forward(x.unsqueeze(1));
        var h = _timeFrequency is null
            ? _dense.forward(series)
            : _dense.forward(cat([_pool!.forward(series), _timeFrequency.forward(Spectrogram(x))], 1));
        var logits = _classes.forward(h);
        var time = functional.sigmoid(_time.forward(h)).squeeze(1);
        return (logits.MoveToOuterDisposeScope(), time.MoveToOuterDisposeScope());
    }
}
