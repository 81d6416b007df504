using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>Small helpers over the client API used by the room tests.</summary>
internal static class RoomClient
{
    public static async Task<string> CreateRoomAsync(this HttpClient c, object? body = null) =>
        (await (await c.PostAsJsonAsync("/_matrix/client/v3/createRoom", body ?? new { })).AssertOkAsync()).GetProperty("room_id").GetString()!;

    public static async Task<string> SendTextAsync(this HttpClient c, string roomId, string text, string? txnId = null) =>
        (await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{txnId ?? Guid.NewGuid().ToString("N")}",
            new { msgtype = "m.text", body = text })).AssertOkAsync()).GetProperty("event_id").GetString()!;

    public static Task<HttpResponseMessage> PostRoomAsync(this HttpClient c, string roomId, string action, object body) =>
        c.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/{action}", body);

    public static Task<HttpResponseMessage> GetRoomAsync(this HttpClient c, string roomId, string path) =>
        c.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/{path}");

    public static async Task<List<JsonElement>> MessagesAsync(this HttpClient c, string roomId, string query = "dir=b&limit=100") =>
        (await (await c.GetRoomAsync(roomId, "messages?" + query)).AssertOkAsync()).GetProperty("chunk").EnumerateArray().ToList();

    public static IEnumerable<string> Bodies(this IEnumerable<JsonElement> events) =>
        events.Where(e => e.GetProperty("type").GetString() == "m.room.message").Select(e => e.GetProperty("content").GetProperty("body").GetString()!);
}
