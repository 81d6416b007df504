namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// State event types the room directory reads for its entries but the server does not otherwise interpret,
/// so they are kept here rather than in <see cref="Events.EventTypes"/>.
/// </summary>
public static class DirectoryStateTypes
{
    public const string Name = "m.room.name";
    public const string Topic = "m.room.topic";
    public const string CanonicalAlias = "m.room.canonical_alias";
    public const string Avatar = "m.room.avatar";
    public const string GuestAccess = "m.room.guest_access";
}
