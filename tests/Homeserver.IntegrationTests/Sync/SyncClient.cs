using System.Net.WebSockets;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>Sync over HTTP and WebSocket for tests, and readers for the parts of a sync response.</summary>
public static class SyncClient
{
    public const string SyncUrl = "/_matrix/client/v3/sync";

    public static string SyncPath(string? since = null, int? timeout = null, string? filter = null)
    {
        var query = new List<string>();
        if (since is not null)
            query.Add("since=" + Uri.EscapeDataString(since));
        if (timeout is not null)
            query.Add("timeout=" + timeout);
        if (filter is not null)
            query.Add("filter=" + Uri.EscapeDataString(filter));
        return query.Count == 0 ? SyncUrl : SyncUrl + "?" + string.Join("&", query);
    }

    public static async Task<JsonElement> SyncAsync(HttpClient c, string? since = null, int? timeout = null, string? filter = null) =>
        await (await c.GetAsync(SyncPath(since, timeout, filter))).AssertOkAsync();

    public static string NextBatch(JsonElement sync)
    {
        Assert.True(sync.TryGetProperty("next_batch", out var token), $"no next_batch in {sync}");
        Assert.Equal(JsonValueKind.String, token.ValueKind);
        Assert.False(string.IsNullOrEmpty(token.GetString()));
        return token.GetString()!;
    }

    /// <summary>The room IDs in <c>rooms.{section}</c>; empty when the section (or <c>rooms</c>) is left out.</summary>
    public static List<string> RoomIds(JsonElement sync, string section) =>
        sync.TryGetProperty("rooms", out var rooms) && rooms.TryGetProperty(section, out var s)
            ? s.EnumerateObject().Select(p => p.Name).ToList()
            : [];

    public static bool TryRoom(JsonElement sync, string section, string roomId, out JsonElement room)
    {
        room = default;
        return sync.TryGetProperty("rooms", out var rooms) && rooms.TryGetProperty(section, out var s) && s.TryGetProperty(roomId, out room);
    }

    public static JsonElement Room(JsonElement sync, string section, string roomId)
    {
        Assert.True(TryRoom(sync, section, roomId, out var room), $"{roomId} not in rooms.{section}: {sync}");
        return room;
    }

    /// <summary><c>{batch}.events</c> of a room or of the response; empty when left out.</summary>
    public static List<JsonElement> Events(JsonElement parent, string batch) =>
        parent.TryGetProperty(batch, out var b) && b.TryGetProperty("events", out var events)
            ? events.EnumerateArray().ToList()
            : [];

    public static List<JsonElement> Timeline(JsonElement sync, string roomId) => Events(Room(sync, "join", roomId), "timeline");

    public static bool Limited(JsonElement room) =>
        room.GetProperty("timeline").TryGetProperty("limited", out var limited) && limited.GetBoolean();

    public static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    public static string? StateKey(JsonElement e) => e.TryGetProperty("state_key", out var k) ? k.GetString() : null;

    public static JsonElement Single(IEnumerable<JsonElement> events, string type, string stateKey = "")
    {
        var matches = events.Where(e => Type(e) == type && StateKey(e) == stateKey).ToList();
        Assert.True(matches.Count == 1, $"expected one {type}/{stateKey}, found {matches.Count}");
        return matches[0];
    }

    public static async Task<ClientWebSocket> ConnectAsync(TestHomeserver hs, TestUser user, string query = "")
    {
        var ws = new ClientWebSocket();
        var uri = new UriBuilder(hs.BaseAddress) { Scheme = "ws", Path = "/_matrix/client/v3/sync", Query = "access_token=" + Uri.EscapeDataString(user.AccessToken) + query }.Uri;
        await ws.ConnectAsync(uri, CancellationToken.None);
        return ws;
    }

    public static async Task<JsonElement?> ReceiveAsync(ClientWebSocket ws, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[1 << 20];
        var length = 0;
        try
        {
            ValueWebSocketReceiveResult r;
            do
            {
                r = await ws.ReceiveAsync(buffer.AsMemory(length), cts.Token);
                length += r.Count;
            } while (!r.EndOfMessage);
            if (r.MessageType == WebSocketMessageType.Close)
                return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
    }
}
