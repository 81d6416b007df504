using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>
/// <c>unsigned.transaction_id</c>: the sending device sees the ID it sent an event with, wherever it is given the
/// event, so it can match its local echo; other devices of the same user and other users never see it.
/// </summary>
public sealed class TransactionIdTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static string? TxnIdOf(JsonElement ev) =>
        ev.TryGetProperty("unsigned", out var u) && u.TryGetProperty("transaction_id", out var t) ? t.GetString() : null;

    private static JsonElement Find(IEnumerable<JsonElement> events, string eventId) =>
        events.Single(e => e.GetProperty("event_id").GetString() == eventId);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OnlyTheSendingDevice_SeesItsTransactionId_InSyncMessagesEventAndContext(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var aliceOther = await hs.LoginAsync(alice);
        var (_, b) = await hs.RegisterClientAsync();
        using var a2 = hs.ClientFor(aliceOther);
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        var since = SyncClient.NextBatch(await SyncClient.SyncAsync(a));

        var sent = await a.SendTextAsync(roomId, "echo me", txnId: "local-echo-1");
        var redaction = (await (await a.PutAsJsonAsync(
            $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/redact/{Uri.EscapeDataString(sent)}/local-echo-2", new { })).AssertOkAsync())
            .GetProperty("event_id").GetString()!;

        var incremental = SyncClient.Timeline(await SyncClient.SyncAsync(a, since), roomId);
        Assert.Equal("local-echo-1", TxnIdOf(Find(incremental, sent)));
        Assert.Equal("local-echo-2", TxnIdOf(Find(incremental, redaction)));
        Assert.Equal("local-echo-1", TxnIdOf(Find(SyncClient.Timeline(await SyncClient.SyncAsync(a), roomId), sent)));
        Assert.Equal("local-echo-1", TxnIdOf(Find(await a.MessagesAsync(roomId), sent)));
        Assert.Equal("local-echo-1", TxnIdOf(await (await a.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(sent))).AssertOkAsync()));
        var context = await (await a.GetRoomAsync(roomId, "context/" + Uri.EscapeDataString(sent))).AssertOkAsync();
        Assert.Equal("local-echo-1", TxnIdOf(context.GetProperty("event")));

        foreach (var other in new[] { a2, b })
        {
            Assert.Null(TxnIdOf(Find(SyncClient.Timeline(await SyncClient.SyncAsync(other), roomId), sent)));
            Assert.Null(TxnIdOf(Find(await other.MessagesAsync(roomId), redaction)));
            Assert.Null(TxnIdOf(await (await other.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(sent))).AssertOkAsync()));
        }
    }
}
