using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Events;
using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>Ordering under concurrency, long pagination, and every stored event verifying against the published key.</summary>
public sealed class RoomOrderingTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private sealed class Row
    {
        public string EventId { get; set; } = "";
        public string Json { get; set; } = "";
        public long StreamOrdering { get; set; }
    }

    private static async Task<List<Row>> RoomRowsAsync(TestHomeserver hs, string roomId) =>
        (await hs.Services.GetRequiredService<Database>().ReadAsync(c => c.ListAsync<Row>(
            "SELECT event_id, json, stream_ordering FROM events WHERE room_id = @RoomId ORDER BY stream_ordering", new { RoomId = roomId }, default), default)).ToList();

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TwentyConcurrentSenders_GiveALinearHistoryWithEveryMessageOnce(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var owner = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await owner.CreateRoomAsync(new { preset = "public_chat" });
        var senders = new List<HttpClient>();
        for (var i = 0; i < 20; i++)
        {
            var c = hs.ClientFor(await hs.RegisterAsync());
            await c.JoinAsync(roomId);
            senders.Add(c);
        }
        var sent = await Task.WhenAll(senders.Select((c, i) => Task.Run(async () =>
        {
            var ids = new List<string>();
            for (var m = 0; m < 5; m++)
                ids.Add(await c.SendTextAsync(roomId, $"s{i}-m{m}"));
            return ids;
        })));
        var bodies = (await owner.MessagesAsync(roomId, "dir=b&limit=1000")).Bodies().ToList();
        Assert.Equal(100, bodies.Count);
        Assert.Equal(100, bodies.Distinct().Count());

        // Linear DAG: each event's single prev_event is the event stored just before it; depth grows by one.
        var rows = await RoomRowsAsync(hs, roomId);
        Assert.Equal(sent.SelectMany(x => x).ToHashSet(), rows.Select(r => r.EventId).Where(id => sent.Any(s => s.Contains(id))).ToHashSet());
        for (var i = 1; i < rows.Count; i++)
        {
            var pdu = JsonNode.Parse(rows[i].Json)!;
            var prev = pdu["prev_events"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
            Assert.Equal([rows[i - 1].EventId], prev);
            Assert.Equal(JsonNode.Parse(rows[i - 1].Json)!["depth"]!.GetValue<long>() + 1, pdu["depth"]!.GetValue<long>());
            Assert.True(rows[i].StreamOrdering > rows[i - 1].StreamOrdering);
        }
        foreach (var c in senders)
            c.Dispose();
    }

    [Fact]
    public async Task PaginatingAThousandEvents_BothWays_GivesTheSameSequence()
    {
        var hs = await fixture.GetAsync("postgres");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < 1000; i += 4)
                await a.SendTextAsync(roomId, "n" + i);
        })));
        var backwards = new List<string>();
        string? from = null;
        do
        {
            var page = await (await a.GetRoomAsync(roomId, "messages?dir=b&limit=97" + (from is null ? "" : "&from=" + from))).AssertOkAsync();
            backwards.AddRange(page.GetProperty("chunk").EnumerateArray().Bodies());
            from = page.TryGetProperty("end", out var end) && end.ValueKind == System.Text.Json.JsonValueKind.String ? end.GetString() : null;
        } while (from is not null);
        var forwards = new List<string>();
        from = null;
        do
        {
            var page = await (await a.GetRoomAsync(roomId, "messages?dir=f&limit=89" + (from is null ? "" : "&from=" + from))).AssertOkAsync();
            forwards.AddRange(page.GetProperty("chunk").EnumerateArray().Bodies());
            from = page.TryGetProperty("end", out var end) && end.ValueKind == System.Text.Json.JsonValueKind.String ? end.GetString() : null;
        } while (from is not null);
        Assert.Equal(1000, forwards.Count);
        Assert.Equal(forwards, Enumerable.Reverse(backwards));
        Assert.Equal(1000, forwards.Distinct().Count());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EveryStoredEvent_VerifiesAgainstThePublishedKey(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var (bob, b) = await hs.RegisterClientAsync();
        foreach (var version in new[] { "10", "11", "12" })
        {
            var roomId = await a.CreateRoomAsync(new { room_version = version, name = "signed", invite = new[] { bob.UserId } });
            await b.JoinAsync(roomId);
            var msg = await a.SendTextAsync(roomId, "to be redacted");
            await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/redact/{Uri.EscapeDataString(msg)}/r", new { reason = "test" })).AssertOkAsync();

            var keys = await (await hs.Client.GetAsync("/_matrix/key/v2/server")).AssertOkAsync();
            var (keyId, key) = keys.GetProperty("verify_keys").EnumerateObject().Select(p => (p.Name, UnpaddedBase64.Decode(p.Value.GetProperty("key").GetString()!))).Single();
            Assert.True(RoomVersions.TryGet(version, out var v));
            var rows = await RoomRowsAsync(hs, roomId);
            Assert.True(rows.Count >= 8);
            foreach (var row in rows)
            {
                var pdu = JsonNode.Parse(row.Json)!.AsObject();
                Assert.Equal(EventVerification.Valid, EventVerifier.Verify(pdu, v!, TestHomeserver.ServerName, keyId, key));
                Assert.Equal(row.EventId, ReferenceHasher.ComputeEventId(pdu, v!).ToString());
            }
        }
    }
}
