namespace Homeserver.Core.SlidingSync;

/// <summary>
/// A list's filters. Unset ones do not filter; <c>room_types</c> and <c>not_room_types</c> may hold null for rooms
/// without a type. Every filter set must hold for a room to be in the list.
/// </summary>
public sealed record RoomListFilters(bool? IsDm, bool? IsInvite, bool? IsEncrypted, IReadOnlyList<string?>? RoomTypes, IReadOnlyList<string?>? NotRoomTypes,
    IReadOnlyList<string>? Spaces, IReadOnlyList<string>? Tags, IReadOnlyList<string>? NotTags)
{
    public static RoomListFilters None { get; } = new(null, null, null, null, null, null, null, null);

    /// <summary>Whether any filter needs a room's create or encryption state.</summary>
    public bool NeedsRoomState => IsEncrypted is not null || RoomTypes is not null || NotRoomTypes is not null;

    public bool Matches(RoomFacts room) =>
        (IsDm is not { } dm || room.IsDm == dm)
        && (IsInvite is not { } invite || (room.Membership == "invite") == invite)
        && (IsEncrypted is not { } encrypted || room.IsEncrypted == encrypted)
        && (RoomTypes is null || RoomTypes.Contains(room.RoomType))
        && (NotRoomTypes is null || !NotRoomTypes.Contains(room.RoomType))
        && (Spaces is null || Spaces.Any(room.Spaces.Contains))
        && (Tags is null || Tags.Any(room.Tags.Contains))
        && (NotTags is null || !NotTags.Any(room.Tags.Contains));
}

/// <summary>What the list filters look at of one of the user's rooms.</summary>
public sealed record RoomFacts(string Membership, bool IsDm, bool IsEncrypted, string? RoomType, IReadOnlySet<string> Spaces, IReadOnlySet<string> Tags);
