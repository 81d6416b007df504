using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.IntegrationTests.Rooms;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Ingest;

/// <summary>Each step of the ingest pipeline alone, on events built to pass or fail exactly that step.</summary>
public sealed class IngestStepTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private sealed record Room(TestHomeserver Hs, IngestEvents Events, TestUser Alice, HttpClient Client, string RoomId, string Last);

    private async Task<Room> NewRoomAsync(string engine, string roomVersion = "12")
    {
        var hs = await fixture.GetAsync(engine);
        var alice = await hs.RegisterAsync();
        var client = hs.ClientFor(alice);
        var roomId = await client.CreateRoomAsync(new { preset = "public_chat", room_version = roomVersion });
        return new Room(hs, new IngestEvents(hs), alice, client, roomId, await client.SendTextAsync(roomId, "start"));
    }

    private static IngestContext Received(Pdu pdu) => new() { Event = pdu, Origin = TestHomeserver.ServerName, IsLocal = false };

    private static async Task<EventRefusedException> RefusedAsync<TStep>(Room r, IngestContext ctx) where TStep : IIngestStep =>
        await Assert.ThrowsAsync<EventRefusedException>(async () => await r.Hs.Services.GetRequiredService<TStep>().RunAsync(ctx, default));

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Format_RefusesASecondCreateEvent_AndAnEventWithoutParents(string engine)
    {
        // Before v12 a create event names its room, so a second one can claim to be this room's.
        var r = await NewRoomAsync(engine, roomVersion: "11");
        var create = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, EventTypes.Create, new JsonObject { ["room_version"] = "11" }, [r.Last], stateKey: "");
        Assert.Contains("already has its create event", (await RefusedAsync<FormatCheckStep>(r, Received(create))).Message);
        var orphan = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("orphan"), []);
        Assert.Equal(nameof(FormatCheckStep), (await RefusedAsync<FormatCheckStep>(r, Received(orphan))).Step);
        await r.Hs.Services.GetRequiredService<FormatCheckStep>().RunAsync(Received(
            await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("fine"), [r.Last])), default);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Signatures_RefuseAnUnknownKey_RedactAWrongContentHash_AndTrustLocalEvents(string engine)
    {
        var r = await NewRoomAsync(engine);
        using var stranger = SigningKey.Generate();
        var forged = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("forged"), [r.Last], key: stranger);
        Assert.NotEqual(r.Hs.Services.GetRequiredService<SigningKey>().KeyId, stranger.KeyId);
        Assert.Contains("with a key known here", (await RefusedAsync<SignatureCheckStep>(r, Received(forged))).Message);

        // The same key ID with other key bytes: the signature is checked, not just the key ID.
        using var sameId = SigningKey.FromSeed(r.Hs.Services.GetRequiredService<SigningKey>().Version, new byte[32]);
        var impostor = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("impostor"), [r.Last], key: sameId);
        Assert.Contains("bad signature", (await RefusedAsync<SignatureCheckStep>(r, Received(impostor))).Message);

        // Content changed after signing: the signature (over the redacted form) holds, the hash does not.
        var good = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("original"), [r.Last]);
        var tamperedJson = good.Json.DeepClone().AsObject();
        tamperedJson["content"]!["body"] = "tampered";
        var ctx = Received(Pdu.FromJson(tamperedJson, good.RoomVersion));
        await r.Hs.Services.GetRequiredService<SignatureCheckStep>().RunAsync(ctx, default);
        Assert.Empty(ctx.Event.Content);
        Assert.Equal(good.EventId, ctx.Event.EventId);

        var local = new IngestContext { Event = forged, Origin = TestHomeserver.ServerName, IsLocal = true };
        await r.Hs.Services.GetRequiredService<SignatureCheckStep>().RunAsync(local, default);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AuthEvents_RefuseANonMember_AndAnUnknownAuthEvent(string engine)
    {
        var r = await NewRoomAsync(engine);
        var bob = await r.Hs.RegisterAsync();
        var intruder = await r.Events.BuildAsync(r.RoomId, bob.UserId, "m.room.message", IngestEvents.Text("not a member"), [r.Last]);
        Assert.Equal(nameof(AuthEventsCheckStep), (await RefusedAsync<AuthEventsCheckStep>(r, Received(intruder))).Step);

        var message = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("m"), [r.Last]);
        var unknownAuth = message.Json.DeepClone().AsObject();
        unknownAuth["auth_events"]!.AsArray().Add(EventId.FromReferenceHash(RandomNumberGenerator.GetBytes(32)).ToString());
        Assert.Contains("unknown auth event", (await RefusedAsync<AuthEventsCheckStep>(r, Received(Pdu.FromJson(unknownAuth, message.RoomVersion)))).Message);

        await r.Hs.Services.GetRequiredService<AuthEventsCheckStep>().RunAsync(Received(message), default);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task StateBefore_IsTheParentsState_AndRefusesUnknownOrForeignParents(string engine)
    {
        var r = await NewRoomAsync(engine);
        var ok = Received(await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("m"), [r.Last]));
        await r.Hs.Services.GetRequiredService<StateBeforeStep>().RunAsync(ok, default);
        Assert.Equal((await r.Hs.Services.GetRequiredService<EventStore>().GetAsync(r.Last, default))!.StateGroup, ok.StateBefore!.Group);

        var otherRoom = await r.Client.CreateRoomAsync();
        var foreignParent = await r.Client.SendTextAsync(otherRoom, "elsewhere");
        var foreign = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("m"), [r.Last]);
        var json = foreign.Json.DeepClone().AsObject();
        json["prev_events"] = new JsonArray(foreignParent);
        Assert.Contains("unknown prev event", (await RefusedAsync<StateBeforeStep>(r, Received(Pdu.FromJson(json, foreign.RoomVersion)))).Message);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task StateAuth_RefusesWhatTheChosenAuthEventsAllowButTheStateBeforeDoesNot(string engine)
    {
        var r = await NewRoomAsync(engine);
        var bob = await r.Hs.RegisterAsync();
        using var bobClient = r.Hs.ClientFor(bob);
        await (await bobClient.PostRoomAsync(r.RoomId, "join", new { })).AssertOkAsync();
        var bobJoin = (await r.Hs.Services.GetRequiredService<RoomStore>().ForwardExtremitiesAsync(r.RoomId, default)).Single().EventId;
        // Built on Bob's join, so its auth events name it...
        var stale = await r.Events.BuildAsync(r.RoomId, bob.UserId, "m.room.message", IngestEvents.Text("after the ban"), [bobJoin]);
        await (await r.Client.PostRoomAsync(r.RoomId, "ban", new { user_id = bob.UserId })).AssertOkAsync();
        var ban = (await r.Hs.Services.GetRequiredService<RoomStore>().ForwardExtremitiesAsync(r.RoomId, default)).Single().EventId;
        // ...but placed after the ban.
        var json = stale.Json.DeepClone().AsObject();
        json["prev_events"] = new JsonArray(ban);
        var ctx = Received(Pdu.FromJson(json, stale.RoomVersion));
        await r.Hs.Services.GetRequiredService<AuthEventsCheckStep>().RunAsync(ctx, default);
        await r.Hs.Services.GetRequiredService<StateBeforeStep>().RunAsync(ctx, default);
        Assert.Equal(nameof(StateAuthCheckStep), (await RefusedAsync<StateAuthCheckStep>(r, ctx)).Step);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SoftFail_AnEventFromABranchBeforeABan_IsStoredAsideAndServedToNoOne(string engine)
    {
        var r = await NewRoomAsync(engine);
        var bob = await r.Hs.RegisterAsync();
        using var bobClient = r.Hs.ClientFor(bob);
        await (await bobClient.PostRoomAsync(r.RoomId, "join", new { })).AssertOkAsync();
        var beforeBan = (await r.Hs.Services.GetRequiredService<RoomStore>().ForwardExtremitiesAsync(r.RoomId, default)).Single().EventId;
        await (await r.Client.PostRoomAsync(r.RoomId, "ban", new { user_id = bob.UserId })).AssertOkAsync();
        var extremitiesAfterBan = (await r.Hs.Services.GetRequiredService<RoomStore>().ForwardExtremitiesAsync(r.RoomId, default)).Select(e => e.EventId).ToList();

        // Bob's server, not having seen the ban, sends on the branch before it.
        var late = await r.Events.BuildAsync(r.RoomId, bob.UserId, "m.room.message", IngestEvents.Text("from the old branch"), [beforeBan]);
        Assert.Null(await r.Events.ReceiveAsync(late));

        Assert.NotNull(await r.Hs.Services.GetRequiredService<SetAsideEventStore>().ReasonAsync(SetAside.SoftFailed, late.EventId.ToString(), default));
        Assert.Null(await r.Hs.Services.GetRequiredService<EventStore>().GetAsync(late.EventId.ToString(), default));
        Assert.DoesNotContain("from the old branch", (await r.Client.MessagesAsync(r.RoomId)).Bodies());
        Assert.Equal(extremitiesAfterBan, (await r.Hs.Services.GetRequiredService<RoomStore>().ForwardExtremitiesAsync(r.RoomId, default)).Select(e => e.EventId).ToList());
    }

    [Fact]
    public async Task RefusedEvent_IsLoggedWithItsStepAndEventId()
    {
        var logs = new CapturingLoggerProvider();
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        options.LogLevel = "Information";
        await using var hs = await TestHomeserver.StartAsync(options, b => b.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        var alice = await hs.RegisterAsync();
        using var client = hs.ClientFor(alice);
        var roomId = await client.CreateRoomAsync(new { preset = "public_chat" });
        var last = await client.SendTextAsync(roomId, "start");
        var bob = await hs.RegisterAsync();
        var ingest = new IngestEvents(hs);
        var intruder = await ingest.BuildAsync(roomId, bob.UserId, "m.room.message", IngestEvents.Text("not a member"), [last]);
        await Assert.ThrowsAsync<EventRefusedException>(() => ingest.ReceiveAsync(intruder));
        Assert.Contains(logs.Lines, l => l.Contains("Refused event") && l.Contains(intruder.EventId.ToString()) && l.Contains(nameof(AuthEventsCheckStep)));
    }
}
