using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.IntegrationTests.Rooms;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Ingest;

/// <summary>
/// Which refusals of the ingest pipeline count as rejections (spec "Rejection") and are remembered: the authorisation
/// rules' verdicts on events from elsewhere, not a bad signature, not an auth event merely unknown, not a local event.
/// </summary>
public sealed class RejectedEventTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private sealed record Room(TestHomeserver Hs, IngestEvents Events, TestUser Alice, HttpClient Client, string RoomId, string Last)
    {
        public SetAsideEventStore Aside => Hs.Services.GetRequiredService<SetAsideEventStore>();

        /// <summary>The event changed by <paramref name="change"/> and signed again, so that only the change is wrong with it.</summary>
        public Pdu Changed(Pdu pdu, Action<JsonObject> change)
        {
            var json = pdu.Json.DeepClone().AsObject();
            change(json);
            EventSigner.Sign(json, pdu.RoomVersion, pdu.Sender.ServerName, Hs.Services.GetRequiredService<SigningKey>());
            return Pdu.FromJson(json, pdu.RoomVersion);
        }

        public Pdu WithAuthEvent(Pdu pdu, EventId extra) => Changed(pdu, json => json["auth_events"]!.AsArray().Add(extra.ToString()));
    }

    private async Task<Room> NewRoomAsync(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var alice = await hs.RegisterAsync();
        var client = hs.ClientFor(alice);
        var roomId = await client.CreateRoomAsync(new { preset = "public_chat" });
        return new Room(hs, new IngestEvents(hs), alice, client, roomId, await client.SendTextAsync(roomId, "start"));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task NonMemberFromElsewhere_IsRecorded_AndSoIsWhatCitesItAsAuthEvent(string engine)
    {
        var r = await NewRoomAsync(engine);
        var stranger = await r.Hs.RegisterAsync();
        var intruder = await r.Events.BuildAsync(r.RoomId, stranger.UserId, "m.room.message", IngestEvents.Text("intruding"), [r.Last]);
        var refused = await Assert.ThrowsAsync<EventRefusedException>(() => r.Events.ReceiveAsync(intruder));
        Assert.True(refused.Rejected);
        Assert.Equal(refused.Message, await r.Aside.ReasonAsync(SetAside.Rejected, intruder.EventId.ToString(), default));

        var message = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("citing"), [r.Last]);
        var citing = r.WithAuthEvent(message, intruder.EventId);
        var second = await Assert.ThrowsAsync<EventRefusedException>(() => r.Events.ReceiveAsync(citing));
        Assert.True(second.Rejected);
        Assert.Contains($"rejected event {intruder.EventId}", second.Message);
        Assert.NotNull(await r.Aside.ReasonAsync(SetAside.Rejected, citing.EventId.ToString(), default));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UnknownAuthEvent_BadSignature_AndLocalEvents_AreNotRecorded(string engine)
    {
        var r = await NewRoomAsync(engine);
        var message = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("m"), [r.Last]);
        var unknownAuth = r.WithAuthEvent(message, EventId.FromReferenceHash(RandomNumberGenerator.GetBytes(32)));
        var unknown = await Assert.ThrowsAsync<EventRefusedException>(() => r.Events.ReceiveAsync(unknownAuth));
        Assert.False(unknown.Rejected);
        Assert.Null(await r.Aside.ReasonAsync(SetAside.Rejected, unknownAuth.EventId.ToString(), default));

        using var stranger = SigningKey.Generate();
        var forged = await r.Events.BuildAsync(r.RoomId, r.Alice.UserId, "m.room.message", IngestEvents.Text("forged"), [r.Last], key: stranger);
        Assert.False((await Assert.ThrowsAsync<EventRefusedException>(() => r.Events.ReceiveAsync(forged))).Rejected);
        Assert.Null(await r.Aside.ReasonAsync(SetAside.Rejected, forged.EventId.ToString(), default));

        var outsider = await r.Hs.RegisterAsync();
        var local = await r.Events.BuildAsync(r.RoomId, outsider.UserId, "m.room.message", IngestEvents.Text("local"), [r.Last]);
        var localRefusal = await Assert.ThrowsAsync<EventRefusedException>(() => r.Events.Ingest.IngestAsync(
            new IngestContext { Event = local, Origin = TestHomeserver.ServerName, IsLocal = true }, default));
        Assert.True(localRefusal.Rejected);
        Assert.Null(await r.Aside.ReasonAsync(SetAside.Rejected, local.EventId.ToString(), default));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RefusalByTheStateBefore_IsRecorded(string engine)
    {
        var r = await NewRoomAsync(engine);
        var bob = await r.Hs.RegisterAsync();
        await r.Hs.ClientFor(bob).JoinAsync(r.RoomId);
        var rooms = r.Hs.Services.GetRequiredService<RoomStore>();
        var bobJoin = (await rooms.ForwardExtremitiesAsync(r.RoomId, default)).Single().EventId;
        var stale = await r.Events.BuildAsync(r.RoomId, bob.UserId, "m.room.message", IngestEvents.Text("after the ban"), [bobJoin]);
        await (await r.Client.PostRoomAsync(r.RoomId, "ban", new { user_id = bob.UserId })).AssertOkAsync();
        var ban = (await rooms.ForwardExtremitiesAsync(r.RoomId, default)).Single().EventId;
        var afterBan = r.Changed(stale, json => json["prev_events"] = new JsonArray(ban));

        var refused = await Assert.ThrowsAsync<EventRefusedException>(() => r.Events.ReceiveAsync(afterBan));
        Assert.Equal(nameof(StateAuthCheckStep), refused.Step);
        Assert.True(refused.Rejected);
        Assert.NotNull(await r.Aside.ReasonAsync(SetAside.Rejected, afterBan.EventId.ToString(), default));
    }
}
