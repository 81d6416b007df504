namespace Homeserver.Core.Rooms.Admin;

/// <summary>What a room's shutdown did: the local users made to leave, those that could not be, the aliases it removed or moved, and the room they were moved to.</summary>
public sealed record RoomShutdownResult(IReadOnlyList<string> KickedUsers, IReadOnlyList<string> FailedToKickUsers, IReadOnlyList<string> LocalAliases,
    string? NewRoomId)
{
    public static readonly RoomShutdownResult Empty = new([], [], [], null);
}
