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
}
