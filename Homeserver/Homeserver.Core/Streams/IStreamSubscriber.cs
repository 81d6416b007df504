namespace Homeserver.Core.Streams;

/// <summary>
/// A consumer of committed updates, registered in the container and attached to the bus when the bus is made.
/// It runs after the write's commit and must not fail it: an exception is logged, and the data stays in the
/// database for the next read.
/// </summary>
public interface IStreamSubscriber
{
    /// <summary>The streams it listens to; empty for all.</summary>
    IReadOnlyCollection<string> Streams { get; }

    ValueTask OnUpdateAsync(StreamUpdate update, CancellationToken ct);
}
