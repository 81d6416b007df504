using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Sync.Legacy;

/// <summary>
/// One room as the deprecated <c>/initialSync</c> endpoints show it (spec r0 "room_initial_sync"): the user's
/// membership, the latest messages with tokens for <c>/messages</c>, the state the user may see and the room's
/// account data. A room the user left shows what it held when they left, nothing after.
/// </summary>
public sealed class LegacyRoomSnapshot(RoomReadService reads, RoomStore rooms, CurrentStateStore current, AccountDataStore accountData,
    ReceiptService receipts, LegacyPresence presence)
{
    public async Task<JsonObject> BuildAsync(UserId userId, string? deviceId, RoomId roomId, int limit, CancellationToken ct)
    {
        var room = await rooms.GetAsync(roomId.ToString(), ct) ?? throw MatrixException.Forbidden("You are not a member of this room");
        var version = await reads.VersionOfAsync(roomId, ct);
        await reads.EnsureCanReadAsync(userId, roomId, version, ct);
        var memberships = await current.MembershipsOfUserAsync(userId.ToString(), ct);
        var mine = memberships.FirstOrDefault(m => m.RoomId == roomId.ToString());
        var snapshot = await BuildAsync(userId, deviceId, roomId, mine, room.IsPublic, limit, ct);
        var joined = snapshot["state"]!.AsArray()
            .Where(e => (string?)e!["type"] == EventTypes.Member && (string?)e!["content"]?["membership"] == "join")
            .Select(e => (string)e!["state_key"]!)
            .ToHashSet(StringComparer.Ordinal);
        // Someone who left sees nothing of the room's present, its members' presence included.
        if (mine?.Membership == "join")
            snapshot["presence"] = await presence.CurrentAsync(userId, joined, ct);
        return snapshot;
    }

    /// <param name="membership">The user's membership row; none when a non-member peeks into a world-readable room.</param>
    public async Task<JsonObject> BuildAsync(UserId userId, string? deviceId, RoomId roomId, CurrentStateStore.UserMembership? membership, bool isPublic,
        int limit, CancellationToken ct)
    {
        var departed = membership?.Membership is "leave" or "ban";
        // A departed user's window ends at the event that removed them, which is itself shown.
        var from = departed ? StreamToken.Format(membership!.StreamOrdering + 1) : null;
        // A limit of 0 asks for the tokens alone; the page of one event is read for them and not shown.
        var page = await reads.MessagesAsync(userId, deviceId, roomId, from, null, backwards: true, Math.Max(limit, 1), ct);
        var chunk = limit == 0 ? [] : new JsonArray(page.Chunk.Reverse().Select(e => (JsonNode)LegacyFormat.Event(JsonNode.Parse(e.Utf8)!.AsObject())).ToArray());
        var room = new JsonObject
        {
            ["room_id"] = roomId.ToString(),
            ["membership"] = membership?.Membership ?? "leave",
            ["visibility"] = isPublic ? "public" : "private",
            ["messages"] = new JsonObject { ["chunk"] = chunk, ["start"] = limit == 0 ? page.Start : page.End ?? page.Start, ["end"] = page.Start },
            ["state"] = new JsonArray((await reads.StateAsync(userId, roomId, ct)).Select(e => (JsonNode)LegacyFormat.Event(e)).ToArray()),
            ["account_data"] = await RoomAccountDataAsync(userId, roomId, ct),
            ["presence"] = new JsonArray(),
            ["receipts"] = new JsonArray(),
        };
        if (membership?.Membership == "join" && await receipts.ChangedAsync(roomId.ToString(), userId, 0, long.MaxValue, ct) is { } receipt)
            room["receipts"] = new JsonArray(receipt.DeepClone());
        return room;
    }

    private async Task<JsonArray> RoomAccountDataAsync(UserId userId, RoomId roomId, CancellationToken ct)
    {
        var entries = await accountData.ChangedAsync(userId.ToString(), 0, long.MaxValue, ct);
        return new JsonArray(entries.Where(e => e.RoomId == roomId.ToString())
            .Select(e => (JsonNode)new JsonObject { ["type"] = e.DataType, ["content"] = JsonText.Parse(e.Content) }).ToArray());
    }
}
