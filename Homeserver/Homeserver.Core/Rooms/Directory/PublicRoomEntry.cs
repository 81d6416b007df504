namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// One room in the published room directory, in the spec's <c>PublishedRoomsChunk</c> shape (serialised
/// snake_case, absent values left out). Read from the room's current state.
/// </summary>
public sealed record PublicRoomEntry
{
    public required string RoomId { get; init; }
    public string? Name { get; init; }
    public string? Topic { get; init; }
    public string? CanonicalAlias { get; init; }
    public required long NumJoinedMembers { get; init; }
    public required bool WorldReadable { get; init; }
    public required bool GuestCanJoin { get; init; }
    public string? JoinRule { get; init; }
    public string? AvatarUrl { get; init; }
    public string? RoomType { get; init; }
}
