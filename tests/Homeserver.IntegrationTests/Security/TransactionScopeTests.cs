using System.Net.Http.Json;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;
using Homeserver.Core.Rooms.Ingest;
using Microsoft.Extensions.Logging.Abstractions;
using Homeserver.IntegrationTests.E2ee;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 3: a transaction ID reused on another room, event type or endpoint answered with the earlier
/// event's ID and sent nothing. The spec scopes a transaction to the device and the request path.
/// </summary>
public sealed class TransactionScopeTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static async Task<string> PutAsync(HttpClient c, string path, object content) =>
        (await (await c.PutAsJsonAsync(path, content)).AssertOkAsync()).GetProperty("event_id").GetString()!;

    private static string Send(string roomId, string type, string txn) =>
        $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/{type}/{txn}";

    private static string Redact(string roomId, string eventId, string txn) =>
        $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/redact/{Uri.EscapeDataString(eventId)}/{txn}";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheSameIdOnAnotherPath_IsANewRequest_AndOnTheSamePathARetry(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var alice = hs.ClientFor(await hs.RegisterAsync());
        var roomA = await alice.CreateRoomAsync();
        var roomB = await alice.CreateRoomAsync();
        const string txn = "reused";

        var inA = await PutAsync(alice, Send(roomA, "m.room.message", txn), new { msgtype = "m.text", body = "to A" });
        var inB = await PutAsync(alice, Send(roomB, "m.room.message", txn), new { msgtype = "m.text", body = "to B" });
        var otherType = await PutAsync(alice, Send(roomA, "m.custom", txn), new { n = 1 });
        var retry = await PutAsync(alice, Send(roomA, "m.room.message", txn), new { msgtype = "m.text", body = "to A" });

        Assert.Equal(3, new[] { inA, inB, otherType }.Distinct().Count());
        Assert.Equal(inA, retry);
        Assert.Equal(["to A"], (await alice.MessagesAsync(roomA)).Bodies());
        Assert.Equal(["to B"], (await alice.MessagesAsync(roomB)).Bodies());
        Assert.Contains(await alice.MessagesAsync(roomA), e => e.GetProperty("type").GetString() == "m.custom");

        // /redact with that ID again, on two targets: each is its own request, and neither is the send's event.
        var first = await PutAsync(alice, Redact(roomA, inA, txn), new { });
        var second = await PutAsync(alice, Redact(roomA, otherType, txn), new { });
        Assert.Equal(5, new[] { inA, inB, otherType, first, second }.Distinct().Count());
        Assert.Equal(first, await PutAsync(alice, Redact(roomA, inA, txn), new { }));
        var redacted = (await alice.MessagesAsync(roomA)).Where(e => e.TryGetProperty("unsigned", out var u) && u.TryGetProperty("redacted_because", out _));
        Assert.Equal(2, redacted.Count());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ToDevice_TheSameIdForAnotherEventType_IsDelivered(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var since = (await b.SyncAsync()).NextBatch();
        object To(int n) => new Dictionary<string, Dictionary<string, object>> { [bob.UserId] = new() { [bob.DeviceId] = new { n } } };

        await (await a.SendToDeviceAsync("m.first", "same", To(1))).AssertOkAsync();
        await (await a.SendToDeviceAsync("m.second", "same", To(2))).AssertOkAsync();
        await (await a.SendToDeviceAsync("m.first", "same", To(1))).AssertOkAsync();

        var types = (await b.SyncAsync(since)).ToDeviceEvents().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["m.first", "m.second"], types);
    }

    [Fact]
    public async Task ConcurrentRetriesOnOnePath_MakeOneEvent_WhileOtherPathsEachMakeTheirOwn()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var alice = hs.ClientFor(await hs.RegisterAsync());
        var rooms = new[] { await alice.CreateRoomAsync(), await alice.CreateRoomAsync() };

        var ids = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            PutAsync(alice, Send(rooms[i % 2], "m.room.message", "race"), new { msgtype = "m.text", body = "race" })));

        Assert.Equal(2, ids.Distinct().Count());
        foreach (var room in rooms)
            Assert.Single((await alice.MessagesAsync(room)).Bodies());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheMigration_GivesEarlierTransactionsThePathTheyCameFrom(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        await using var db = new Database(options.Database, options.DataDir, NullLoggerFactory.Instance);
        var migrator = new Migrator(db, NullLogger<Migrator>.Instance);
        await migrator.MigrateAsync(12, default);
        await db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync("INSERT INTO rooms (room_id, room_version, creator, created_ts) VALUES ('!r:x', '11', '@a:x', 0)", null, default, tx);
            await c.RunAsync("""
                INSERT INTO events (stream_ordering, event_id, room_id, event_type, sender, depth, origin_server_ts, json) VALUES
                (1, '$m', '!r:x', 'm.room.message', '@a:x', 1, 0, '{"content":{"body":"hi"}}'),
                (2, '$r', '!r:x', 'm.room.redaction', '@a:x', 2, 0, '{"content":{"redacts":"$m"}}')
                """, null, default, tx);
            await c.RunAsync("""
                INSERT INTO client_txns (user_id, device_id, txn_id, event_id, created_ts) VALUES
                ('@a:x', 'D', 't1', '$m', 0), ('@a:x', 'D', 'redact:t1', '$r', 0)
                """, null, default, tx);
        }, default);

        await migrator.MigrateAsync(default);

        var store = new ClientTxnStore(db);
        Assert.Equal("$m", await store.FindAsync(ClientTxn.ForSend(UserId.Parse("@a:x"), "D", RoomId.Parse("!r:x"), "m.room.message", "t1"), default));
        Assert.Equal("$r", await store.FindAsync(ClientTxn.ForRedact(UserId.Parse("@a:x"), "D", RoomId.Parse("!r:x"), EventId.Parse("$m"), "t1"), default));
        Assert.Null(await store.FindAsync(ClientTxn.ForSend(UserId.Parse("@a:x"), "D", RoomId.Parse("!other:x"), "m.room.message", "t1"), default));
    }
}
