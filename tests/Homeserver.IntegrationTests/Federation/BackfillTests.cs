using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Backfilling from other servers: server A holds a room's history, a user of server B joins it and pages back through
/// the client API, and B fetches from A what it lacks (<c>/backfill</c>), checks it and stores it as history.
/// </summary>
public sealed class BackfillTests : IDisposable
{
    private const string BackfillPath = "/_matrix/federation/v1/backfill";

    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    private sealed record Pair(TestHomeserver A, TestHomeserver B, HttpClient Alice, HttpClient Bob, string RoomId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }

    /// <summary>A public room on A with alice's messages, joined by bob of B.</summary>
    private async Task<Pair> StartAsync(string engine, int messages, FederationAnswerStub? stubOnA = null, object? room = null)
    {
        var a = await FederationTestServers.StartAsync(engine, _ca,
            configureBuilder: stubOnA is null ? null : builder => builder.Services.AddSingleton<IStartupFilter>(stubOnA));
        var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, alice) = await a.RegisterClientAsync();
        var (_, bob) = await b.RegisterClientAsync();
        var roomId = await alice.CreateRoomAsync(room ?? new { preset = "public_chat" });
        for (var i = 0; i < messages; i++)
            await alice.SendTextAsync(roomId, $"m{i}");
        await (await bob.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null)).AssertOkAsync();
        return new Pair(a, b, alice, bob, roomId);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PagingBackFromSync_GetsTheWholeHistoryInOrder_WithStableTokens_AndNoneOfItInSync(string engine)
    {
        await using var p = await StartAsync(engine, 100);
        var initial = await SyncAsync(p.Bob, null);
        var timeline = initial.GetProperty("rooms").GetProperty("join").GetProperty(p.RoomId).GetProperty("timeline");
        var prevBatch = timeline.GetProperty("prev_batch").GetString()!;
        var nextBatch = initial.GetProperty("next_batch").GetString()!;

        var (fromPrevBatch, tokens) = await PageBackAsync(p.Bob, p.RoomId, prevBatch);
        var expected = Enumerable.Range(0, 100).Select(i => $"m{i}").Reverse().ToList();
        Assert.Equal(expected, fromPrevBatch.Bodies());
        Assert.Equal(fromPrevBatch.Count, fromPrevBatch.Select(EventId).Distinct().Count());
        // The room's create event is the natural end: nothing before it, and the history ends there.
        Assert.Equal("m.room.create", fromPrevBatch[^1].GetProperty("type").GetString());

        // A sync's next_batch pages back too, over bob's join and then the same events.
        var (fromNextBatch, _) = await PageBackAsync(p.Bob, p.RoomId, nextBatch);
        Assert.Equal("m.room.member", fromNextBatch[0].GetProperty("type").GetString());
        Assert.Equal(fromPrevBatch.Select(EventId), fromNextBatch.Skip(1).Select(EventId));

        // Tokens handed out before and during the backfill page on from the same places.
        Assert.Equal(fromPrevBatch.Select(EventId), (await PageBackAsync(p.Bob, p.RoomId, prevBatch)).Events.Select(EventId));
        Assert.Equal(fromPrevBatch.Skip(10).Select(EventId), (await PageBackAsync(p.Bob, p.RoomId, tokens[1])).Events.Select(EventId));

        // History is not news: an incremental sync after the backfill brings none of it.
        var since = await SyncAsync(p.Bob, nextBatch);
        var rooms = since.GetProperty("rooms");
        if (rooms.TryGetProperty("join", out var joined) && joined.TryGetProperty(p.RoomId, out var roomSync))
            Assert.Empty(roomSync.GetProperty("timeline").GetProperty("events").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AForgedEventInABackfillAnswer_IsRefused_AndTheRestIsStored(string engine)
    {
        var stub = new FederationAnswerStub();
        await using var p = await StartAsync(engine, 5, stub);
        var history = (await p.A.Services.GetRequiredService<EventStore>().PageAsync(p.RoomId, long.MaxValue, long.MinValue, backwards: true, 100, default))
            .Select(r => JsonNode.Parse(r.Json)!.AsObject()).ToList();
        foreach (var pdu in history)
            pdu.Remove("unsigned");
        // m2 as alice wrote it, under another event's signatures: the same event ID, not her server's word.
        var forged = history.Single(e => e["content"]?["body"]?.GetValue<string>() == "m2");
        forged["signatures"] = history.Single(e => e["content"]?["body"]?.GetValue<string>() == "m3")["signatures"]!.DeepClone();
        stub.Answer(BackfillPath, _ => new JsonObject
        {
            ["origin"] = p.A.Options.ServerName, ["origin_server_ts"] = 0, ["pdus"] = new JsonArray(history.Select(e => (JsonNode)e.DeepClone()).ToArray()),
        });

        var bodies = (await p.Bob.MessagesAsync(p.RoomId)).Bodies().ToList();
        Assert.NotEmpty(stub.RequestsTo(BackfillPath));
        Assert.Equal(["m4", "m3", "m1", "m0"], bodies);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AServerThatDoesNotAnswer_HoldsUpMessagesOnlyBriefly(string engine)
    {
        var stub = new FederationAnswerStub();
        using var release = new ManualResetEventSlim();
        stub.Answer(BackfillPath, _ =>
        {
            release.Wait(TimeSpan.FromMinutes(1));
            return new JsonObject { ["pdus"] = new JsonArray() };
        });
        await using var p = await StartAsync(engine, 3, stub);
        try
        {
            var clock = Stopwatch.StartNew();
            var chunk = await p.Bob.MessagesAsync(p.RoomId);
            Assert.InRange(clock.Elapsed, RoomBackfillerWait, RoomBackfillerWait + TimeSpan.FromSeconds(8));
            Assert.Equal("m.room.member", Assert.Single(chunk).GetProperty("type").GetString());
        }
        finally
        {
            release.Set();
        }
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AServerThatIsDown_DoesNotHoldUpMessages(string engine)
    {
        var p = await StartAsync(engine, 3);
        await p.A.DisposeAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            var chunk = await p.Bob.MessagesAsync(p.RoomId);
            Assert.True(clock.Elapsed < RoomBackfillerWait, $"/messages took {clock.Elapsed} with the room's other server down");
            Assert.Equal("m.room.member", Assert.Single(chunk).GetProperty("type").GetString());
        }
        finally
        {
            await p.B.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task HistoryFromBeforeTheJoin_IsNotShown_WhenTheRoomsHistoryIsForJoinedMembersOnly(string engine)
    {
        await using var p = await StartAsync(engine, 3, room: new
        {
            preset = "public_chat",
            initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "joined" } } },
        });
        var before = (await p.Alice.MessagesAsync(p.RoomId)).Where(e => e.GetProperty("type").GetString() == "m.room.message").Select(EventId).ToList();
        Assert.Equal(3, before.Count);

        var seen = await p.Bob.MessagesAsync(p.RoomId);
        Assert.Empty(seen.Bodies());
        Assert.DoesNotContain(seen, e => before.Contains(EventId(e)));
        // B holds them as history (redacted: A shows B's server nothing it had no member to see), and hides them from bob.
        var onB = p.B.Services.GetRequiredService<EventStore>();
        foreach (var id in before)
            Assert.NotNull(await onB.GetAsync(id, default));
        // The room's creation came before its history was closed (the default is shared): that is his to see.
        Assert.Equal("m.room.create", seen[^1].GetProperty("type").GetString());
    }

    private static readonly TimeSpan RoomBackfillerWait = Homeserver.Core.InboundFederation.Backfill.RoomBackfiller.Wait;

    private static string EventId(JsonElement e) => e.GetProperty("event_id").GetString()!;

    private static async Task<JsonElement> SyncAsync(HttpClient client, string? since) =>
        await (await client.GetAsync("/_matrix/client/v3/sync?timeout=0&filter=" + Uri.EscapeDataString("{\"room\":{\"timeline\":{\"limit\":1}}}")
            + (since is null ? "" : "&since=" + Uri.EscapeDataString(since)))).AssertOkAsync();

    /// <summary>Every event before <paramref name="from"/>, ten a page as a client pages, and the token each page started from.</summary>
    private static async Task<(List<JsonElement> Events, List<string> Tokens)> PageBackAsync(HttpClient client, string roomId, string from)
    {
        var events = new List<JsonElement>();
        var tokens = new List<string>();
        for (var page = 0; page < 50; page++)
        {
            tokens.Add(from);
            var answer = await (await client.GetRoomAsync(roomId, $"messages?dir=b&limit=10&from={Uri.EscapeDataString(from)}")).AssertOkAsync();
            var chunk = answer.GetProperty("chunk").EnumerateArray().ToList();
            events.AddRange(chunk);
            if (chunk.Count == 0 || !answer.TryGetProperty("end", out var end))
                return (events, tokens);
            from = end.GetString()!;
        }
        throw new Xunit.Sdk.XunitException("pagination did not end");
    }

    public void Dispose() => _ca.Dispose();
}
