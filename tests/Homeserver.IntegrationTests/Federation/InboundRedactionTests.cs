using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;
using Homeserver.IntegrationTests.E2ee;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Xunit;
using static Homeserver.Testing.Federation.RemotePduFactory;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Another server's redactions that the auth rules allow but that may not redact what they name (spec "Handling
/// redactions"): one sent in another room than its target's, and one of a local user's event by a remote user
/// without the redact level. Each is taken into the room's graph like any event the rules allow, so that what other
/// servers build on it is taken too, but redacts nothing (the one of another room's event is withheld from clients, as
/// Synapse withholds it); a remote user's redaction of their own event redacts it. A redaction whose target arrives
/// after it redacts nothing either, and is withheld once that target turns out to be another room's.
/// </summary>
public sealed class InboundRedactionTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RedactionsThatMayNotRedact_RedactNothing_AndWhatIsBuiltOnThemIsTaken_WhileOwnRedactionsRedact(string engine)
    {
        await using var rooms = await TwoRoomsAsync(engine);
        var (alice, fromB, bob, room1, room2) = (rooms.Alice, rooms.FromB, rooms.Bob, rooms.Room1, rooms.Room2);
        var alicesMessage = await alice.SendTextAsync(room1.ToString(), "hi");
        var bobsMessage = await fromB.MessageAsync(room1, bob, "mine");
        AssertAccepted(await fromB.SendAsync("mine", bobsMessage), bobsMessage);
        var since = (await alice.SyncAsync()).NextBatch();

        var elsewhere = await RedactionAsync(fromB, room2, bob, EventId.Parse(alicesMessage));
        var unentitled = await RedactionAsync(fromB, room1, bob, EventId.Parse(alicesMessage));
        var own = await RedactionAsync(fromB, room1, bob, bobsMessage.EventId);
        var results = await fromB.SendAsync("redactions", elsewhere, unentitled, own);
        AssertAccepted(results, elsewhere);
        AssertAccepted(results, unentitled);
        AssertAccepted(results, own);

        var original = await EventAsync(alice, room1, alicesMessage);
        Assert.Equal("hi", original.GetProperty("content").GetProperty("body").GetString());
        Assert.False(original.GetProperty("unsigned").TryGetProperty("redacted_because", out _), original.ToString());
        var redacted = await EventAsync(alice, room1, bobsMessage.EventId.ToString());
        Assert.False(redacted.GetProperty("content").TryGetProperty("body", out _), redacted.ToString());
        // The redaction of another room's event is withheld from clients, as Synapse withholds it.
        await (await alice.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(room2.ToString())}/event/{Uri.EscapeDataString(elsewhere.EventId.ToString())}"))
            .AssertErrorAsync(System.Net.HttpStatusCode.NotFound, "M_NOT_FOUND");

        // Events built on them (another server took them as events of the room) are taken, and reach alice.
        var onTop = new List<Homeserver.Core.Events.Pdu>();
        foreach (var room in new[] { room1, room2 })
            onTop.Add(await fromB.MessageAsync(room, bob, "after the redactions"));
        var later = await fromB.SendAsync("later", [.. onTop]);
        foreach (var pdu in onTop)
            AssertAccepted(later, pdu);
        var served = (await alice.SyncAsync(since)).GetProperty("rooms").GetProperty("join").EnumerateObject()
            .SelectMany(r => r.Value.GetProperty("timeline").GetProperty("events").EnumerateArray()).Select(e => e.GetProperty("event_id").GetString()).ToList();
        Assert.Contains(own.EventId.ToString(), served);
        // Only the redaction of another room's event is withheld: one its sender may not make is shown, redacting nothing.
        Assert.Contains(unentitled.EventId.ToString(), served);
        Assert.DoesNotContain(elsewhere.EventId.ToString(), served);
        Assert.DoesNotContain(elsewhere.EventId.ToString(), (await alice.MessagesAsync(room2.ToString())).Select(e => e.GetProperty("event_id").GetString()));
        Assert.All(onTop, pdu => Assert.Contains(pdu.EventId.ToString(), served));
        Assert.Equal("hi", (await EventAsync(alice, room1, alicesMessage)).GetProperty("content").GetProperty("body").GetString());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RedactionsOfEventsNotHeldYet_AreShown_UntilTheTargetArrivesInAnotherRoom(string engine)
    {
        await using var rooms = await TwoRoomsAsync(engine);
        var (alice, fromB, bob, room1, room2) = (rooms.Alice, rooms.FromB, rooms.Bob, rooms.Room1, rooms.Room2);
        // Built before the redactions that name them, sent after.
        var targetElsewhere = await fromB.MessageAsync(room1, bob, "in the first room");
        var targetHere = await fromB.MessageAsync(room2, bob, "in the second room");
        var awaitingElsewhere = await RedactionAsync(fromB, room2, bob, targetElsewhere.EventId);
        var awaitingHere = await RedactionAsync(fromB, room2, bob, targetHere.EventId);
        var early = await fromB.SendAsync("early", awaitingElsewhere, awaitingHere);
        AssertAccepted(early, awaitingElsewhere);
        AssertAccepted(early, awaitingHere);
        var before = await IdsAsync(alice, room2);
        Assert.Contains(awaitingElsewhere.EventId.ToString(), before);
        Assert.Contains(awaitingHere.EventId.ToString(), before);

        var late = await fromB.SendAsync("late", targetElsewhere, targetHere);
        AssertAccepted(late, targetElsewhere);
        AssertAccepted(late, targetHere);

        var after = await IdsAsync(alice, room2);
        Assert.DoesNotContain(awaitingElsewhere.EventId.ToString(), after);
        Assert.Contains(awaitingHere.EventId.ToString(), after);
        await (await alice.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(room2.ToString())}/event/{Uri.EscapeDataString(awaitingElsewhere.EventId.ToString())}"))
            .AssertErrorAsync(System.Net.HttpStatusCode.NotFound, "M_NOT_FOUND");
        // Neither arrival was redacted by a redaction that came before it.
        Assert.Equal("in the first room", (await EventAsync(alice, room1, targetElsewhere.EventId.ToString())).GetProperty("content").GetProperty("body").GetString());
        Assert.Equal("in the second room", (await EventAsync(alice, room2, targetHere.EventId.ToString())).GetProperty("content").GetProperty("body").GetString());
    }

    /// <summary>Server A with alice's two public rooms, and bob of server B joined to both through A.</summary>
    private sealed record TwoRooms(TestHomeserver A, TestHomeserver B, HttpClient Alice, RemotePduFactory FromB, UserId Bob, RoomId Room1, RoomId Room2)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }

    private async Task<TwoRooms> TwoRoomsAsync(string engine)
    {
        var a = await FederationTestServers.StartAsync(engine, _ca);
        var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, alice) = await a.RegisterClientAsync();
        var fromB = new RemotePduFactory(a, b);
        var bob = fromB.User("bob");
        var room1 = RoomId.Parse(await alice.CreateRoomAsync(new { preset = "public_chat" }));
        var room2 = RoomId.Parse(await alice.CreateRoomAsync(new { preset = "public_chat" }));
        foreach (var room in new[] { room1, room2 })
        {
            var join = await fromB.JoinAsync(room, bob);
            AssertAccepted(await fromB.SendAsync("join-" + room.Opaque, join), join);
        }
        return new TwoRooms(a, b, alice, fromB, bob, room1, room2);
    }

    private static async Task<List<string?>> IdsAsync(HttpClient client, RoomId room) =>
        (await client.MessagesAsync(room.ToString())).Select(e => e.GetProperty("event_id").GetString()).ToList();

    private static Task<Homeserver.Core.Events.Pdu> RedactionAsync(RemotePduFactory from, RoomId room, UserId sender, EventId target) =>
        from.BuildAsync(room, sender, "m.room.redaction", null, new JsonObject { ["redacts"] = target.ToString() });

    private static async Task<JsonElement> EventAsync(HttpClient client, RoomId room, string eventId) =>
        await (await client.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(room.ToString())}/event/{Uri.EscapeDataString(eventId)}")).AssertOkAsync();

    public void Dispose() => _ca.Dispose();
}
