using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.SlidingSync;

/// <summary>Sliding sync requests as Element X (matrix-rust-sdk) shapes them, and readers for the answers.</summary>
public static class SlidingSyncClient
{
    public const string SyncPath = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";

    /// <summary>The state Element X's room list asks for of every room (matrix-rust-sdk's room list service).</summary>
    public static readonly string[][] RoomListRequiredState =
    [
        ["m.room.name", ""], ["m.room.encryption", ""], ["m.room.member", "$LAZY"], ["m.room.member", "$ME"], ["m.room.topic", ""],
        ["m.room.avatar", ""], ["m.room.canonical_alias", ""], ["m.room.power_levels", ""], ["m.call.member", "*"], ["m.room.join_rules", ""],
        ["m.room.tombstone", ""], ["m.room.create", ""], ["m.room.history_visibility", ""], ["m.space.parent", "*"], ["m.space.child", "*"],
    ];

    /// <summary>Element X's <c>room-list</c> connection: one list of all rooms, a window of <paramref name="end"/> + 1, one event per room.</summary>
    public static JsonObject RoomList(int end = 19, int timelineLimit = 1) => new()
    {
        ["conn_id"] = "room-list",
        ["lists"] = new JsonObject
        {
            ["all_rooms"] = new JsonObject
            {
                ["ranges"] = new JsonArray(new JsonArray(0, end)),
                ["timeline_limit"] = timelineLimit,
                ["required_state"] = JsonSerializer.SerializeToNode(RoomListRequiredState),
            },
        },
        ["extensions"] = new JsonObject
        {
            ["account_data"] = new JsonObject { ["enabled"] = true },
            ["receipts"] = new JsonObject { ["enabled"] = true, ["rooms"] = new JsonArray("*") },
            ["typing"] = new JsonObject { ["enabled"] = true },
        },
    };

    public static Task<HttpResponseMessage> PostAsync(HttpClient c, JsonObject body, string? pos = null, int timeout = 0) =>
        c.PostAsJsonAsync(SyncPath + "?timeout=" + timeout + (pos is null ? "" : "&pos=" + Uri.EscapeDataString(pos)), body);

    public static async Task<JsonElement> SyncAsync(HttpClient c, JsonObject body, string? pos = null, int timeout = 0) =>
        await (await PostAsync(c, body.DeepClone().AsObject(), pos, timeout)).AssertOkAsync();

    public static string Pos(JsonElement response) => response.GetProperty("pos").GetString()!;

    public static int Count(JsonElement response, string list) => response.GetProperty("lists").GetProperty(list).GetProperty("count").GetInt32();

    public static List<string> RoomIds(JsonElement response) => response.GetProperty("rooms").EnumerateObject().Select(p => p.Name).ToList();

    public static JsonElement Room(JsonElement response, string roomId)
    {
        Assert.True(response.GetProperty("rooms").TryGetProperty(roomId, out var room), $"{roomId} not in {response}");
        return room;
    }

    public static List<string> Bodies(JsonElement room) =>
        room.TryGetProperty("timeline", out var t)
            ? t.EnumerateArray().Where(e => e.GetProperty("content").TryGetProperty("body", out _)).Select(e => e.GetProperty("content").GetProperty("body").GetString()!).ToList()
            : [];

    public static bool HasState(JsonElement room, string type, string stateKey = "") =>
        room.TryGetProperty("required_state", out var state)
        && state.EnumerateArray().Any(e => e.GetProperty("type").GetString() == type && e.GetProperty("state_key").GetString() == stateKey);
}
