using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation.Reads;

/// <summary>
/// History visibility per asking server on the federation reads: server A holds the room, server B asks with signed
/// requests, and B's users are in the room or not as each test sets.
/// </summary>
public sealed class FederationReadVisibilityTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    private static object Room(string visibility) => new
    {
        preset = "public_chat",
        initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = visibility } } },
    };

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AServerWithNoMember_IsRefusedEveryRead_UntilTheRoomIsWorldReadable(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, alice) = await a.RegisterClientAsync();
        var roomId = await alice.CreateRoomAsync(Room("shared"));
        var message = await alice.SendTextAsync(roomId, "members only");
        var reader = new FederationReader(b, a);
        var room = FederationReader.Escape(roomId);
        var at = FederationReader.Escape(message);

        foreach (var path in ReadsOf(room, at))
            await reader.RefusedAsync(path, HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await reader.RefusedAsync($"/get_missing_events/{room}", HttpStatusCode.Forbidden, "M_FORBIDDEN", MissingEvents([], [message]));

        (await alice.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/state/m.room.history_visibility/", new { history_visibility = "world_readable" }))
            .EnsureSuccessStatusCode();
        var open = await alice.SendTextAsync(roomId, "for everyone");

        Assert.Equal("for everyone", FederationReader.Body(await reader.EventAsync(roomId, open)));
        // Sent while the room was shared, which is for servers that joined: redacted for one that never did.
        var hidden = await reader.EventAsync(roomId, message);
        Assert.Null(FederationReader.Body(hidden));
        Assert.Equal("m.room.message", hidden["type"]!.GetValue<string>());
        var openAt = FederationReader.Escape(open);
        Assert.NotEmpty((await reader.OkAsync($"/state_ids/{room}?event_id={openAt}"))["pdu_ids"]!.AsArray());
        Assert.NotEmpty((await reader.OkAsync($"/event_auth/{room}/{openAt}"))["auth_chain"]!.AsArray());
        await reader.RefusedAsync($"/state_ids/{room}?event_id={at}", HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // Backfill from there: the newest first, the shared message redacted in place.
        var backfill = (await reader.OkAsync($"/backfill/{room}?v={openAt}&limit=3"))["pdus"]!.AsArray();
        var ids = await reader.IdsOfAsync(roomId, backfill);
        Assert.Equal(3, ids.Count);
        Assert.Equal(open, ids[0]);
        Assert.Equal("for everyone", FederationReader.Body(backfill[0]!.AsObject()));
        Assert.Equal(message, ids[2]);
        Assert.Null(FederationReader.Body(backfill[2]!.AsObject()));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public async Task AServersMemberSinceAnEvent_SeesEarlierEventsAsTheSettingSays(string engine, string visibility,
        bool seesBeforeInvite, bool seesBetweenInviteAndJoin)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (aliceUser, alice) = await a.RegisterClientAsync();
        var roomId = await alice.CreateRoomAsync(Room(visibility));
        var fromB = new RemotePduFactory(a, b);
        var reader = new FederationReader(b, a);
        var room = FederationReader.Escape(roomId);
        var bob = fromB.User("bob");

        var beforeInvite = await alice.SendTextAsync(roomId, "before invite");
        var invite = await fromB.IngestAsync(await fromB.MembershipAsync(RoomId.Parse(roomId), UserId.Parse(aliceUser.UserId), bob, "invite",
            a.Services.GetRequiredService<SigningKey>()), a.Options.ServerName);
        var betweenInviteAndJoin = await alice.SendTextAsync(roomId, "between invite and join");
        var join = await fromB.IngestAsync(await fromB.JoinAsync(RoomId.Parse(roomId), bob));
        var afterJoin = await alice.SendTextAsync(roomId, "after join");

        Assert.Equal(seesBeforeInvite ? "before invite" : null, FederationReader.Body(await reader.EventAsync(roomId, beforeInvite)));
        Assert.Equal(seesBetweenInviteAndJoin ? "between invite and join" : null,
            FederationReader.Body(await reader.EventAsync(roomId, betweenInviteAndJoin)));
        Assert.Equal("after join", FederationReader.Body(await reader.EventAsync(roomId, afterJoin)));
        // The server's own users' membership events are seen whatever the setting.
        Assert.Equal("invite", (await reader.EventAsync(roomId, invite))["content"]!["membership"]!.GetValue<string>());
        Assert.Equal("join", (await reader.EventAsync(roomId, join))["content"]!["membership"]!.GetValue<string>());

        // The state at an event is for a server that may see the room there.
        var stateBefore = await reader.SendAsync(HttpMethod.Get, $"/state_ids/{room}?event_id={FederationReader.Escape(beforeInvite)}");
        Assert.Equal(seesBeforeInvite ? HttpStatusCode.OK : HttpStatusCode.Forbidden, stateBefore.Status);
        var eventAuthBefore = await reader.SendAsync(HttpMethod.Get, $"/event_auth/{room}/{FederationReader.Escape(beforeInvite)}");
        Assert.Equal(seesBeforeInvite ? HttpStatusCode.OK : HttpStatusCode.Forbidden, eventAuthBefore.Status);
        await reader.OkAsync($"/state_ids/{room}?event_id={FederationReader.Escape(afterJoin)}");

        // Backfill serves what the server may not see redacted, in place.
        var backfill = await reader.OkAsync($"/backfill/{room}?v={FederationReader.Escape(afterJoin)}&limit=100");
        var pdus = backfill["pdus"]!.AsArray().Select(p => p!.AsObject()).ToList();
        var ids = await reader.IdsOfAsync(roomId, backfill["pdus"]);
        Assert.Equal(seesBeforeInvite ? "before invite" : null, FederationReader.Body(pdus[ids.IndexOf(beforeInvite)]));
        Assert.Equal(seesBetweenInviteAndJoin ? "between invite and join" : null, FederationReader.Body(pdus[ids.IndexOf(betweenInviteAndJoin)]));
        Assert.Equal("after join", FederationReader.Body(pdus[ids.IndexOf(afterJoin)]));
    }

    public static TheoryData<string, string, bool, bool> Settings()
    {
        var data = new TheoryData<string, string, bool, bool>();
        foreach (var engine in new[] { "sqlite", "postgres" })
        {
            data.Add(engine, "shared", true, true);
            data.Add(engine, "invited", false, true);
            data.Add(engine, "joined", false, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AfterTheServersMemberLeaves_LaterEventsAreRefused_EarlierOnesStaySeen(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, alice) = await a.RegisterClientAsync();
        var roomId = await alice.CreateRoomAsync(Room("joined"));
        var fromB = new RemotePduFactory(a, b);
        var reader = new FederationReader(b, a);
        var room = FederationReader.Escape(roomId);
        var bob = fromB.User("bob");

        await fromB.IngestAsync(await fromB.JoinAsync(RoomId.Parse(roomId), bob));
        var whileJoined = await alice.SendTextAsync(roomId, "while joined");
        var leave = await fromB.IngestAsync(await fromB.MembershipAsync(RoomId.Parse(roomId), bob, bob, "leave"));
        var afterLeave = await alice.SendTextAsync(roomId, "after leave");

        Assert.Equal("while joined", FederationReader.Body(await reader.EventAsync(roomId, whileJoined)));
        Assert.Equal("leave", (await reader.EventAsync(roomId, leave))["content"]!["membership"]!.GetValue<string>());
        var after = FederationReader.Escape(afterLeave);
        await reader.RefusedAsync($"/event/{after}", HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await reader.RefusedAsync($"/state_ids/{room}?event_id={after}", HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await reader.RefusedAsync($"/backfill/{room}?v={after}&limit=10", HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await reader.RefusedAsync($"/get_missing_events/{room}", HttpStatusCode.Forbidden, "M_FORBIDDEN", MissingEvents([whileJoined], [afterLeave]));
    }

    /// <summary>Every GET read of the room at one event.</summary>
    internal static IEnumerable<string> ReadsOf(string room, string at) =>
    [
        $"/event/{at}",
        $"/state/{room}?event_id={at}",
        $"/state_ids/{room}?event_id={at}",
        $"/event_auth/{room}/{at}",
        $"/backfill/{room}?v={at}&limit=10",
        $"/timestamp_to_event/{room}?ts=0&dir=f",
    ];

    internal static JsonObject MissingEvents(IEnumerable<string> earliest, IEnumerable<string> latest, int? limit = null, long? minDepth = null)
    {
        var body = new JsonObject
        {
            ["earliest_events"] = new JsonArray(earliest.Select(e => (JsonNode)e).ToArray()),
            ["latest_events"] = new JsonArray(latest.Select(e => (JsonNode)e).ToArray()),
        };
        if (limit is not null)
            body["limit"] = limit;
        if (minDepth is not null)
            body["min_depth"] = minDepth;
        return body;
    }

    public void Dispose() => _ca.Dispose();
}
