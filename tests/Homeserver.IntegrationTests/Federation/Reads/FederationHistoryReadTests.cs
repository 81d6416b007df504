using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Xunit;

namespace Homeserver.IntegrationTests.Federation.Reads;

/// <summary>
/// The reads of a room's history and state by a server with a member in it: what each walk answers, in which order,
/// within which limit, and what it refuses (unknown events, events of other rooms, malformed requests).
/// </summary>
public sealed class FederationHistoryReadTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    public static TheoryData<string, string> EnginesAndVersions()
    {
        var data = new TheoryData<string, string>();
        foreach (var engine in new[] { "sqlite", "postgres" })
            foreach (var version in new[] { "1", "3", "11", "12" })
                data.Add(engine, version);
        return data;
    }

    private sealed record Room(TestHomeserver A, TestHomeserver B, HttpClient Alice, string RoomId, FederationReader Reader) : IAsyncDisposable
    {
        public string Escaped => FederationReader.Escape(RoomId);

        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }

    /// <summary>A public room on A in the given version, with a member of B's joined.</summary>
    private async Task<Room> RoomWithRemoteMemberAsync(string engine, string version)
    {
        var a = await FederationTestServers.StartAsync(engine, _ca);
        var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, alice) = await a.RegisterClientAsync();
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat", room_version = version });
        var fromB = new RemotePduFactory(a, b);
        await fromB.IngestAsync(await fromB.JoinAsync(RoomId.Parse(roomId), fromB.User("bob")));
        return new Room(a, b, alice, roomId, new FederationReader(b, a));
    }

    private static async Task<List<string>> SendAsync(Room room, params string[] bodies)
    {
        var ids = new List<string>();
        foreach (var body in bodies)
            ids.Add(await room.Alice.SendTextAsync(room.RoomId, body));
        return ids;
    }

    [Theory]
    [MemberData(nameof(EnginesAndVersions))]
    public async Task Backfill_WalksBackFromTheGivenEvents_NewestFirst_WithinTheLimit(string engine, string version)
    {
        await using var room = await RoomWithRemoteMemberAsync(engine, version);
        var m = await SendAsync(room, "m1", "m2", "m3", "m4", "m5");
        (await room.Alice.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room.Escaped}/redact/{FederationReader.Escape(m[1])}/r1", new { reason = "spam" }))
            .EnsureSuccessStatusCode();

        var three = (await room.Reader.OkAsync($"/backfill/{room.Escaped}?v={FederationReader.Escape(m[4])}&limit=3"))["pdus"]!.AsArray();
        Assert.Equal(["m5", "m4", "m3"], three.Select(p => FederationReader.Body(p!.AsObject())));
        Assert.Equal([m[4], m[3], m[2]], await room.Reader.IdsOfAsync(room.RoomId, three));

        var all = (await room.Reader.OkAsync($"/backfill/{room.Escaped}?v={FederationReader.Escape(m[4])}&limit=1000"))["pdus"]!.AsArray();
        var depths = all.Select(p => p!["depth"]!.GetValue<long>()).ToList();
        Assert.Equal(depths.OrderDescending(), depths);
        Assert.Equal("m.room.create", all[^1]!["type"]!.GetValue<string>());
        Assert.Equal(5, all.Count(p => p!["type"]!.GetValue<string>() == "m.room.message"));
        Assert.All(all, p => Assert.Null(p!["unsigned"]));
        // A redacted event is served redacted to everyone.
        Assert.Equal(["m5", "m4", "m3", "m1"], all.Select(p => FederationReader.Body(p!.AsObject())).OfType<string>());

        // Two starts, one behind the other: each event once.
        var two = (await room.Reader.OkAsync($"/backfill/{room.Escaped}?v={FederationReader.Escape(m[1])}&v={FederationReader.Escape(m[2])}&limit=3"))["pdus"]!.AsArray();
        Assert.Equal([m[2], m[1], m[0]], await room.Reader.IdsOfAsync(room.RoomId, two));
    }

    [Theory]
    [MemberData(nameof(EnginesAndVersions))]
    public async Task MissingEvents_AreTheEventsBetween_OldestFirst_WithinTheLimitAndMinimumDepth(string engine, string version)
    {
        await using var room = await RoomWithRemoteMemberAsync(engine, version);
        var m = await SendAsync(room, "m1", "m2", "m3", "m4", "m5");
        var path = $"/get_missing_events/{room.Escaped}";

        var between = (await room.Reader.OkAsync(path, FederationReadVisibilityTests.MissingEvents([m[0]], [m[4]])))["events"]!.AsArray();
        Assert.Equal([m[1], m[2], m[3]], await room.Reader.IdsOfAsync(room.RoomId, between));

        var limited = (await room.Reader.OkAsync(path, FederationReadVisibilityTests.MissingEvents([m[0]], [m[4]], limit: 2)))["events"]!.AsArray();
        Assert.Equal([m[2], m[3]], await room.Reader.IdsOfAsync(room.RoomId, limited));

        var depthOfM3 = (await room.Reader.EventAsync(room.RoomId, m[2]))["depth"]!.GetValue<long>();
        var deep = (await room.Reader.OkAsync(path, FederationReadVisibilityTests.MissingEvents([], [m[4]], minDepth: depthOfM3)))["events"]!.AsArray();
        Assert.Equal([m[2], m[3]], await room.Reader.IdsOfAsync(room.RoomId, deep));
    }

    [Theory]
    [MemberData(nameof(EnginesAndVersions))]
    public async Task StateAndAuthChain_AreTheStateBeforeTheEvent_WithTheirWholeAuthChain(string engine, string version)
    {
        await using var room = await RoomWithRemoteMemberAsync(engine, version);
        var m = await SendAsync(room, "m1");
        var at = FederationReader.Escape(m[0]);

        var state = await room.Reader.OkAsync($"/state/{room.Escaped}?event_id={at}");
        var stateIds = await room.Reader.OkAsync($"/state_ids/{room.Escaped}?event_id={at}");
        var pdus = state["pdus"]!.AsArray();
        Assert.Equal((await room.Reader.IdsOfAsync(room.RoomId, pdus)).Order(), stateIds["pdu_ids"]!.AsArray().Select(i => i!.GetValue<string>()).Order());
        var chain = state["auth_chain"]!.AsArray();
        var chainIds = await room.Reader.IdsOfAsync(room.RoomId, chain);
        Assert.Equal(chainIds.Order(), stateIds["auth_chain_ids"]!.AsArray().Select(i => i!.GetValue<string>()).Order());
        Assert.Contains(pdus, p => p!["type"]!.GetValue<string>() == "m.room.member" && p["state_key"]!.GetValue<string>() == room.Reader.RemoteUser("bob"));
        Assert.DoesNotContain(pdus, p => p!["type"]!.GetValue<string>() == "m.room.message");
        AssertClosed(chain, chainIds, version, pdus);

        var authChain = (await room.Reader.OkAsync($"/event_auth/{room.Escaped}/{at}"))["auth_chain"]!.AsArray();
        var authIds = await room.Reader.IdsOfAsync(room.RoomId, authChain);
        var message = await room.Reader.EventAsync(room.RoomId, m[0]);
        Assert.Subset(authIds.ToHashSet(), AuthEventsOf(message, version).ToHashSet());
        Assert.DoesNotContain(m[0], authIds);
        Assert.Contains(authChain, p => p!["type"]!.GetValue<string>() == "m.room.create");
        AssertClosed(authChain, authIds, version);
    }

    /// <summary>Every auth event an event of the chain (or of <paramref name="also"/>) names is in the chain, the create event excepted in v12 where it is implied.</summary>
    private static void AssertClosed(JsonArray chain, List<string> chainIds, string version, JsonArray? also = null)
    {
        foreach (var pdu in chain.Concat(also ?? []))
            foreach (var authId in AuthEventsOf(pdu!.AsObject(), version))
                Assert.Contains(authId, chainIds);
    }

    private static IEnumerable<string> AuthEventsOf(JsonObject pdu, string version) =>
        pdu["auth_events"]!.AsArray().Select(a => version is "1" or "2" ? a![0]!.GetValue<string>() : a!.GetValue<string>());

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TimestampToEvent_FindsTheClosestEventInEachDirection(string engine)
    {
        await using var room = await RoomWithRemoteMemberAsync(engine, "11");
        var m = await SendAsync(room, "m1", "m2");
        var first = await room.Reader.OkAsync($"/timestamp_to_event/{room.Escaped}?ts=0&dir=f");
        Assert.Equal("m.room.create", (await room.Reader.EventAsync(room.RoomId, first["event_id"]!.GetValue<string>()))["type"]!.GetValue<string>());
        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var last = await room.Reader.OkAsync($"/timestamp_to_event/{room.Escaped}?ts={future}&dir=b");
        Assert.Equal(m[1], last["event_id"]!.GetValue<string>());
        var lastPdu = await room.Reader.EventAsync(room.RoomId, m[1]);
        Assert.Equal(lastPdu["origin_server_ts"]!.GetValue<long>(), last["origin_server_ts"]!.GetValue<long>());
        await room.Reader.RefusedAsync($"/timestamp_to_event/{room.Escaped}?ts={future}&dir=f", HttpStatusCode.NotFound, "M_NOT_FOUND");
        await room.Reader.RefusedAsync($"/timestamp_to_event/{room.Escaped}?ts=0&dir=x", HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await room.Reader.RefusedAsync($"/timestamp_to_event/{room.Escaped}?ts=soon&dir=f", HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UnknownEvents_EventsOfAnotherRoom_AndMalformedRequests_AreRefused(string engine)
    {
        await using var room = await RoomWithRemoteMemberAsync(engine, "11");
        var m = await SendAsync(room, "m1");
        // A room B has no member in, whose events must not be reachable through the room B is in.
        var other = await room.Alice.CreateRoomAsync(new { preset = "private_chat" });
        var secret = await room.Alice.SendTextAsync(other, "secret");
        var r = room.Escaped;
        var s = FederationReader.Escape(secret);
        var reader = room.Reader;

        await reader.RefusedAsync($"/event/{FederationReader.Escape("$unknown")}", HttpStatusCode.NotFound, "M_NOT_FOUND");
        await reader.RefusedAsync("/event/not-an-event-id", HttpStatusCode.NotFound, "M_NOT_FOUND");
        await reader.RefusedAsync($"/state_ids/{r}?event_id={FederationReader.Escape("$unknown")}", HttpStatusCode.NotFound, "M_NOT_FOUND");
        await reader.RefusedAsync($"/state/{r}?event_id={s}", HttpStatusCode.NotFound, "M_NOT_FOUND");
        await reader.RefusedAsync($"/state_ids/{r}?event_id={s}", HttpStatusCode.NotFound, "M_NOT_FOUND");
        await reader.RefusedAsync($"/event_auth/{r}/{s}", HttpStatusCode.NotFound, "M_NOT_FOUND");
        await reader.RefusedAsync($"/event/{s}", HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await reader.RefusedAsync($"/state_ids/{FederationReader.Escape("!unknown:" + room.A.Options.ServerName)}?event_id={FederationReader.Escape(m[0])}",
            HttpStatusCode.NotFound, "M_NOT_FOUND");

        // Walks from the other room's events find nothing through this one.
        var backfill = (await reader.OkAsync($"/backfill/{r}?v={s}&limit=10"))["pdus"]!.AsArray();
        Assert.Empty(backfill);
        var missing = (await reader.OkAsync($"/get_missing_events/{r}", FederationReadVisibilityTests.MissingEvents([], [secret])))["events"]!.AsArray();
        Assert.Empty(missing);

        await reader.RefusedAsync($"/state_ids/{r}", HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await reader.RefusedAsync($"/backfill/{r}?limit=10", HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await reader.RefusedAsync($"/backfill/{r}?v={FederationReader.Escape(m[0])}", HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await reader.RefusedAsync($"/backfill/{r}?v={FederationReader.Escape(m[0])}&limit=-1", HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        var manyStarts = string.Join("&", Enumerable.Range(0, 101).Select(i => "v=" + FederationReader.Escape($"$e{i}")));
        await reader.RefusedAsync($"/backfill/{r}?{manyStarts}&limit=10", HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        // Either list left out is taken, as Synapse takes it: no latest events finds nothing, no earliest events walks
        // back from the latest to the limit.
        Assert.Empty((await reader.OkAsync($"/get_missing_events/{r}", new JsonObject()))["events"]!.AsArray());
        var noEarliest = (await reader.OkAsync($"/get_missing_events/{r}",
            new JsonObject { ["latest_events"] = new JsonArray(m[0]), ["limit"] = 3 }))["events"]!.AsArray();
        Assert.Equal(3, noEarliest.Count);
        Assert.DoesNotContain(noEarliest, e => e!["content"]?["body"]?.GetValue<string>() == "m1");
        await reader.RefusedAsync($"/get_missing_events/{r}", HttpStatusCode.BadRequest, "M_BAD_JSON",
            new JsonObject { ["earliest_events"] = new JsonArray(), ["latest_events"] = "$x" });
        await reader.RefusedAsync($"/get_missing_events/{r}", HttpStatusCode.BadRequest, "M_BAD_JSON",
            FederationReadVisibilityTests.MissingEvents([], [m[0]], limit: -5));
        await reader.RefusedAsync($"/get_missing_events/{r}", HttpStatusCode.BadRequest, "M_INVALID_PARAM",
            FederationReadVisibilityTests.MissingEvents([], Enumerable.Range(0, 101).Select(i => $"$e{i}")));
    }

    public void Dispose() => _ca.Dispose();
}
