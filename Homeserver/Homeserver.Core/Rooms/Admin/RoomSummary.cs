namespace Homeserver.Core.Rooms.Admin;

/// <summary>A room as the admin API describes it: its counts and what its current state says of it.</summary>
public sealed record RoomSummary(
    string RoomId,
    string Version,
    string Creator,
    bool Public,
    long JoinedMembers,
    long JoinedLocalMembers,
    long StateEvents,
    string? Name,
    string? CanonicalAlias,
    string? Topic,
    string? Avatar,
    string? JoinRules,
    string? GuestAccess,
    string? HistoryVisibility,
    string? Encryption,
    bool Federatable,
    string? RoomType);
