namespace Noise.Simulation.Transients;

/// <summary>Something that adds transients to a channel: placed events overlapping a range of its samples.</summary>
public interface ITransientSource
{
    /// <summary>Events whose support overlaps samples [first, end) (absolute indices at the channel's rate).</summary>
    List<PlacedEvent> Overlapping(long first, long end);
}
