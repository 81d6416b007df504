using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>
/// What an admin asked of a room deletion (Synapse's <c>DELETE /rooms/{roomId}</c> body): an optional room the local
/// members are moved to, whether to block the room, and whether to purge it from the database.
/// </summary>
/// <param name="ForcePurge">Purge even when some local user could not be made to leave.</param>
public sealed record RoomDeletionRequest(
    UserId Requester,
    UserId? NewRoomUserId = null,
    string? RoomName = null,
    string? Message = null,
    bool Block = false,
    bool Purge = true,
    bool ForcePurge = false)
{
    public const string DefaultRoomName = "Content Violation Notification";
    public const string DefaultMessage = "Sharing illegal content on this server is not permitted and rooms in violation will be blocked.";
}
