using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.State;

/// <summary>Which of a server's users are joined to a room now, from the membership index.</summary>
public sealed class ServerMembershipStore(Database db)
{
    // Server names hold no LIKE wildcard ('%', '_'); the match is narrowed to the exact server below, since LIKE
    // ignores case on SQLite and a suffix such as ":8448" would match the port of another server's users.
    private const string SelectJoined = """
        SELECT user_id FROM room_memberships WHERE room_id = @RoomId AND membership = 'join' AND user_id LIKE @Pattern
        """;

    public async Task<bool> HasJoinedMemberAsync(string roomId, string serverName, CancellationToken ct)
    {
        var users = await db.ReadAsync(c => c.ListAsync<string>(SelectJoined, new { RoomId = roomId, Pattern = "%:" + serverName }, ct), ct);
        return users.Any(u => UserId.TryParse(u, out var id) && id.Value.ServerName == serverName);
    }
}
