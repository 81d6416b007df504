using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Homeserver.Testing.Federation;

/// <summary>What a user's server shows of a room, read through the client API, and waits for it to show something.</summary>
public static class RoomViews
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Polls <paramref name="condition"/> as a client would until it holds; fails naming <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, Func<Task<string>> what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"not within {Patience}: {await what()}");
            await Task.Delay(100);
        }
    }

    /// <summary>The event as /messages serves it once it has arrived.</summary>
    public static async Task<JsonElement> WaitForEventAsync(this HttpClient c, string roomId, string eventId)
    {
        JsonElement found = default;
        await EventuallyAsync(async () =>
        {
            found = (await c.MessagesAsync(roomId, "dir=b&limit=1000")).FirstOrDefault(e => e.GetProperty("event_id").GetString() == eventId);
            return found.ValueKind == JsonValueKind.Object;
        }, () => Task.FromResult($"{eventId} did not reach {c.BaseAddress}"));
        return found;
    }

    /// <summary>Each member's membership as /members lists it.</summary>
    public static async Task<Dictionary<string, string>> MembershipsAsync(this HttpClient c, string roomId) =>
        (await (await c.GetRoomAsync(roomId, "members")).AssertOkAsync()).GetProperty("chunk").EnumerateArray()
            .ToDictionary(e => e.GetProperty("state_key").GetString()!, e => e.GetProperty("content").GetProperty("membership").GetString()!);

    /// <summary>Waits until /members shows <paramref name="userId"/> with <paramref name="membership"/>.</summary>
    public static Task WaitForMembershipAsync(this HttpClient c, string roomId, string userId, string membership) =>
        EventuallyAsync(async () => (await c.MembershipsAsync(roomId)).GetValueOrDefault(userId) == membership,
            async () => $"{c.BaseAddress} shows {userId} as {(await c.MembershipsAsync(roomId)).GetValueOrDefault(userId)}, not {membership}");

    /// <summary>The room's current state as /state serves it: each event's type, state key and ID, sorted.</summary>
    public static async Task<List<string>> StateAsync(this HttpClient c, string roomId) =>
        (await (await c.GetRoomAsync(roomId, "state")).AssertOkAsync()).EnumerateArray()
            .Select(e => $"{e.GetProperty("type").GetString()}|{e.GetProperty("state_key").GetString()}|{e.GetProperty("event_id").GetString()}")
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>A state event's content as /state/{type}/{key} serves it, or null when the room has none.</summary>
    public static async Task<JsonElement?> StateContentAsync(this HttpClient c, string roomId, string type, string stateKey = "")
    {
        var res = await c.GetRoomAsync(roomId, $"state/{type}/{Uri.EscapeDataString(stateKey)}");
        return res.IsSuccessStatusCode ? await res.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    public static async Task<string> SendStateAsync(this HttpClient c, string roomId, string type, object content, string stateKey = "") =>
        (await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/{type}/{Uri.EscapeDataString(stateKey)}", content))
            .AssertOkAsync()).GetProperty("event_id").GetString()!;

    /// <summary>The IDs of the room's events as /messages pages them, newest first.</summary>
    public static async Task<List<string>> TimelineIdsAsync(this HttpClient c, string roomId) =>
        (await c.MessagesAsync(roomId, "dir=b&limit=1000")).Select(e => e.GetProperty("event_id").GetString()!).ToList();
}
