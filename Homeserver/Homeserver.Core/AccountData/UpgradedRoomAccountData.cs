using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.AccountData;

/// <summary>
/// What of a user's account data follows a room to its replacement (spec "Room Upgrades" leaves it to servers; this is
/// what Synapse carries): the room's tags, and the room's place in <c>m.direct</c>, where the new room is listed
/// beside the old one under the same user.
/// </summary>
public sealed class UpgradedRoomAccountData(RoomTagService tags, AccountDataStore store)
{
    public const string DirectType = "m.direct";

    public async Task CopyAsync(UserId userId, RoomId oldRoom, RoomId newRoom, CancellationToken ct)
    {
        await tags.CopyAsync(userId, oldRoom, newRoom, ct);
        if (await store.GetAsync(userId.ToString(), null, DirectType, ct) is not { } json || JsonNode.Parse(json) is not JsonObject direct)
            return;
        foreach (var (_, rooms) in direct)
        {
            if (rooms is not JsonArray list || !Lists(list, oldRoom) || Lists(list, newRoom))
                continue;
            list.Add(newRoom.ToString());
            await store.PutAsync(userId.ToString(), null, DirectType, direct.ToJsonString(), ct);
            return;
        }
    }

    private static bool Lists(JsonArray list, RoomId room) =>
        list.Any(n => n is JsonValue v && v.TryGetValue(out string? id) && id == room.ToString());
}
