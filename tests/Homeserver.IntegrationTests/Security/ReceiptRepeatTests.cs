using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.IntegrationTests.Sync;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, beside finding 9: a receipt that does not move forward (the same event again, or an earlier one) was
/// stored and woke every joined member's sync, so one member could keep a room's members busy without a rate
/// limit. As in Synapse, a receipt only moves forward; anything else is accepted and changes nothing.
/// </summary>
public sealed class ReceiptRepeatTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static JsonElement? Receipts(JsonElement sync, string roomId) =>
        SyncClient.TryRoom(sync, "join", roomId, out var room)
            ? room.GetProperty("ephemeral").GetProperty("events").EnumerateArray()
                .Where(e => e.GetProperty("type").GetString() == "m.receipt").Select(e => e.GetProperty("content")).Cast<JsonElement?>().FirstOrDefault()
            : null;

    private static Task<HttpResponseMessage> ReceiptAsync(HttpClient c, string roomId, string eventId) =>
        c.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/receipt/m.read/{Uri.EscapeDataString(eventId)}", new { });

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ARepeatedOrBackwardReceipt_ChangesNothing_AndWakesNoOne(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (bobUser, bob) = await hs.RegisterClientAsync();
        using var alice = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat" });
        await bob.JoinAsync(roomId);
        var first = await alice.SendTextAsync(roomId, "first");
        var second = await alice.SendTextAsync(roomId, "second");
        await (await ReceiptAsync(bob, roomId, second)).AssertOkAsync();
        var since = SyncClient.NextBatch(await SyncClient.SyncAsync(alice));

        for (var i = 0; i < 10; i++)
        {
            await (await ReceiptAsync(bob, roomId, second)).AssertOkAsync();
            await (await ReceiptAsync(bob, roomId, first)).AssertOkAsync();
        }

        Assert.Null(Receipts(await SyncClient.SyncAsync(alice, since), roomId));
        var clock = Stopwatch.StartNew();
        var polled = await SyncClient.SyncAsync(alice, since, timeout: 1500);
        Assert.True(clock.ElapsedMilliseconds >= 1400, $"a long poll was woken after {clock.ElapsedMilliseconds} ms");
        Assert.Null(Receipts(polled, roomId));
        var current = Receipts(await SyncClient.SyncAsync(alice), roomId) ?? throw new Xunit.Sdk.XunitException("no receipt");
        Assert.True(current.GetProperty(second).GetProperty("m.read").TryGetProperty(bobUser.UserId, out _));
        Assert.False(current.TryGetProperty(first, out _));

        // A receipt that does move forward still reaches the room.
        var third = await alice.SendTextAsync(roomId, "third");
        var before = SyncClient.NextBatch(await SyncClient.SyncAsync(alice));
        await (await ReceiptAsync(bob, roomId, third)).AssertOkAsync();
        var moved = Receipts(await SyncClient.SyncAsync(alice, before), roomId) ?? throw new Xunit.Sdk.XunitException("no receipt");
        Assert.True(moved.GetProperty(third).GetProperty("m.read").TryGetProperty(bobUser.UserId, out _));
    }
}
