using Noise.Core;
using Noise.Detection.Model;

namespace Noise.Detection;

/// <summary>
/// The two pipelines' triggers as the sngl_burst/Omicron rows every output writes (detect, run and streaming):
/// one mapping, so files and streamed triggers carry the same columns.
/// </summary>
public static class TriggerRecords
{
    public const string ModelPipeline = "glitchnet", BaselinePipeline = "qtransform";

    public static TriggerRecord Of(ModelTrigger t, string ifo, string channel)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new TriggerRecord
        {
            Ifo = ifo, Channel = channel, Pipeline = ModelPipeline,
            PeakTime = TriggerRecord.Gps(t.Time), StartTime = TriggerRecord.Gps(t.TStart), Duration = t.TEnd - t.TStart,
            Class = t.Class, Probability = t.Probability, ClassProbability = t.ClassProbability,
        };
    }

    public static TriggerRecord Of(QTrigger q, string ifo, string channel)
    {
        ArgumentNullException.ThrowIfNull(q);
        return new TriggerRecord
        {
            Ifo = ifo, Channel = channel, Pipeline = BaselinePipeline,
            PeakTime = TriggerRecord.Gps(q.Time), StartTime = TriggerRecord.Gps(q.TStart), Duration = q.TEnd - q.TStart,
            CentralFrequency = q.Frequency, Bandwidth = q.FEnd - q.FStart, Snr = q.Snr, Amplitude = q.Amplitude, Q = q.Q,
        };
    }
}
