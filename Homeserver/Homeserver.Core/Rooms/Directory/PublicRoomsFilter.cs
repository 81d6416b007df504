namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// The <c>filter</c> of <c>POST /publicRooms</c>. <see cref="RoomTypes"/> may hold null, meaning "rooms
/// without a type"; null or empty means every type.
/// </summary>
public sealed record PublicRoomsFilter(string? GenericSearchTerm, IReadOnlyList<string?>? RoomTypes)
{
    public static PublicRoomsFilter None { get; } = new(null, null);

    public bool Matches(PublicRoomEntry room)
    {
        if (RoomTypes is { Count: > 0 } types && !types.Contains(room.RoomType))
            return false;
        var term = GenericSearchTerm?.Trim();
        if (string.IsNullOrEmpty(term))
            return true;
        return Contains(room.Name, term) || Contains(room.Topic, term) || Contains(room.CanonicalAlias, term);
    }

    private static bool Contains(string? field, string term) =>
        field is not null && field.Contains(term, StringComparison.OrdinalIgnoreCase);
}
