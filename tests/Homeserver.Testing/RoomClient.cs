using System.Net.Http.Json;
using System.Text.Json;

namespace Homeserver.Testing;

/// <summary>The room calls test set-ups make over the client API, each asserting that the server accepted it.</summary>
public static class RoomClient
{
    public static async Task<string> CreateRoomAsync(this HttpClient c, object? body = null) =>
        (await (await c.PostAsJsonAsync("/_matrix/client/v3/createRoom", body ?? new { })).AssertOkAsync()).GetProperty("room_id").GetString()!;

    public static async Task<string> SendTextAsync(this HttpClient c, string roomId, string text, string? txnId = null) =>
        (await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{txnId ?? Guid.NewGuid().ToString("N")}",
            new { msgtype = "m.text", body = text })).AssertOkAsync()).GetProperty("event_id").GetString()!;

    public static async Task JoinAsync(this HttpClient c, string roomId) =>
        await (await c.PostRoomAsync(roomId, "join", new { })).AssertOkAsync();

    /// <summary>Joins a room of another server through <paramref name="viaServer"/>, a server in the room.</summary>
    public static async Task JoinViaAsync(this HttpClient c, string roomId, string viaServer) =>
        await (await c.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(viaServer)}", null)).AssertOkAsync();

    public static async Task InviteAsync(this HttpClient c, string roomId, string userId) =>
        await (await c.PostRoomAsync(roomId, "invite", new { user_id = userId })).AssertOkAsync();

    public static async Task LeaveAsync(this HttpClient c, string roomId) =>
        await (await c.PostRoomAsync(roomId, "leave", new { })).AssertOkAsync();

    public static Task<HttpResponseMessage> PostRoomAsync(this HttpClient c, string roomId, string action, object body) =>
        c.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/{action}", body);

    public static Task<HttpResponseMessage> GetRoomAsync(this HttpClient c, string roomId, string path) =>
        c.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/{path}");

    public static async Task<List<JsonElement>> MessagesAsync(this HttpClient c, string roomId, string query = "dir=b&limit=100") =>
        (await (await c.GetRoomAsync(roomId, "messages?" + query)).AssertOkAsync()).GetProperty("chunk").EnumerateArray().ToList();

    public static IEnumerable<string> Bodies(this IEnumerable<JsonElement> events) =>
        events.Where(e => e.GetProperty("type").GetString() == "m.room.message").Select(e => e.GetProperty("content").GetProperty("body").GetString()!);

    /// <summary>Two fresh users joined to a new public room that the first created, the most common start of a room test.</summary>
    public static async Task<(TestUser Alice, TestUser Bob, HttpClient A, HttpClient B, string RoomId)> TwoUsersInPublicRoomAsync(this TestHomeserver hs)
    {
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        return (alice, bob, a, b, roomId);
    }
}
