namespace Homeserver.Core.Streams;

/// <summary>
/// "A stream moved to this position", published once the write that moved it has committed. It names whom it
/// concerns rather than carrying the data: subscribers read what they need from the database, bounded by the
/// positions, so a lost or late update delays a reader but never hides data from it.
/// </summary>
/// <param name="Users">Users it concerns directly.</param>
public sealed record StreamUpdate(string Stream, long Position, IReadOnlyCollection<string> Users)
{
    /// <summary>The room it happened in, if any.</summary>
    public string? RoomId { get; init; }

    /// <summary>Whether it also concerns the joined members of <see cref="RoomId"/> (a receipt, typing).</summary>
    public bool ToRoomMembers { get; init; }

    /// <summary>A user whose room peers (everyone sharing a joined room with them) it also concerns (presence, device keys).</summary>
    public string? PeersOf { get; init; }

    /// <summary>
    /// The node that published it, when that is another node (the bus between nodes sets it); null for this process.
    /// A subscriber holding in-memory state of its own (typing, the session cache) takes remote news from it.
    /// </summary>
    public string? Origin { get; init; }

    /// <summary>
    /// It may concern every user: updates of this stream can have been missed (the bus between nodes was cut), so
    /// whoever waits on the stream should look at the database again.
    /// </summary>
    public bool Everyone { get; init; }
}
