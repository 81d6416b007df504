using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Sync.Legacy;

/// <summary>
/// The deprecated <c>GET /initialSync</c>, which bots and older clients still call: every room the user is in or
/// invited to (and with <c>archived</c>, left), each as <see cref="LegacyRoomSnapshot"/>, the global account data, and
/// an <c>end</c> token to follow with <c>GET /events</c>. The token is a sync token, so it serves <c>/sync</c> too.
/// </summary>
public sealed class LegacyInitialSync(SyncService sync, LegacyRoomSnapshot snapshots, CurrentStateStore current, RoomStore rooms,
    ForgottenRoomStore forgotten, AccountDataStore accountData, LegacyPresence presence)
{
    public async Task<JsonObject> BuildAsync(UserId userId, string? deviceId, int limit, bool archived, CancellationToken ct)
    {
        // Read first, so whatever happens while the rooms are read is after it and comes with the next /events.
        var end = await sync.CurrentTokenAsync(ct);
        var roomsOut = new JsonArray();
        // Synapse also lists every room's receipt event at the top, labelled with its room, where old clients read them.
        var receipts = new JsonArray();
        foreach (var m in await current.MembershipsOfUserAsync(userId.ToString(), ct))
        {
            if (m.Membership is "leave" or "ban" && (!archived || await forgotten.IsForgottenAsync(userId.ToString(), m.RoomId, ct)))
                continue;
            if (m.Membership is not ("join" or "invite" or "leave" or "ban"))
                continue;
            var room = await rooms.GetAsync(m.RoomId, ct);
            if (room is null)
                continue;
            var snapshot = m.Membership == "invite"
                ? new JsonObject { ["room_id"] = m.RoomId, ["membership"] = "invite", ["visibility"] = room.IsPublic ? "public" : "private" }
                : await snapshots.BuildAsync(userId, deviceId, RoomId.Parse(m.RoomId), m, room.IsPublic, limit, ct);
            foreach (var receipt in snapshot["receipts"]?.AsArray() ?? [])
                if (receipt is JsonObject r)
                {
                    var labelled = r.DeepClone().AsObject();
                    labelled["room_id"] = m.RoomId;
                    receipts.Add(labelled);
                }
            roomsOut.Add(snapshot);
        }
        var global = (await accountData.ChangedAsync(userId.ToString(), 0, long.MaxValue, ct)).Where(e => e.RoomId == "");
        return new JsonObject
        {
            ["end"] = end.ToString(),
            ["rooms"] = roomsOut,
            ["presence"] = await presence.CurrentAsync(userId, null, ct),
            ["receipts"] = receipts,
            ["account_data"] = new JsonArray(global.Select(e => (JsonNode)new JsonObject { ["type"] = e.DataType, ["content"] = JsonText.Parse(e.Content) }).ToArray()),
        };
    }
}
