using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Homeserver.Core.Federation.Acl;

/// <summary>
/// Whether a server may take part in a room, by the room's current <c>m.room.server_acl</c> (server-server API,
/// "Server Access Control Lists"). Every room-scoped federation entry point asks this first, with one line.
/// </summary>
public sealed class ServerAcls(Database db, RoomStore rooms, StateService state, IMemoryCache cache)
{
    public const string EventType = "m.room.server_acl";
    public const string DeniedMessage = "Server is banned from this room by its server ACL";

    private const string SelectAcl = "SELECT event_id FROM current_state WHERE room_id = @RoomId AND event_type = @Type AND state_key = ''";
    private static readonly MemoryCacheEntryOptions Entry = new() { SlidingExpiration = TimeSpan.FromMinutes(10) };

    /// <summary>Whether <paramref name="serverName"/> (port and all, as it signs requests) may act in the room; a room without an ACL allows everyone.</summary>
    public async Task<bool> IsAllowedAsync(RoomId roomId, string serverName, CancellationToken ct) =>
        await CurrentAsync(roomId, ct) is not { } acl || acl.IsAllowed(serverName);

    /// <exception cref="MatrixException">403 <c>M_FORBIDDEN</c>, as the spec requires of a denied server.</exception>
    public async Task EnsureAllowedAsync(RoomId roomId, string serverName, CancellationToken ct)
    {
        if (!await IsAllowedAsync(roomId, serverName, ct))
            throw MatrixException.Forbidden(DeniedMessage);
    }

    // One indexed read per request; the parsed rules are cached by the ACL event, which never changes.
    private async Task<ServerAclEvaluator?> CurrentAsync(RoomId roomId, CancellationToken ct)
    {
        var eventId = await db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectAcl, new { RoomId = roomId.ToString(), Type = EventType }, ct), ct);
        if (eventId is null)
            return null;
        if (cache.TryGetValue(("server_acl", eventId), out ServerAclEvaluator? known))
            return known;
        var pdu = await state.GetEventAsync(eventId, await rooms.VersionOfAsync(roomId.ToString(), ct), ct);
        if (pdu is null)
            return null;
        var acl = ServerAclEvaluator.FromContent(pdu.Content);
        cache.Set(("server_acl", eventId), acl, Entry);
        return acl;
    }
}
