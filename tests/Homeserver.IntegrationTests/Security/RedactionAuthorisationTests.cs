using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 1: a redaction sent through the generic <c>/send</c> (or <c>/state</c>) endpoint redacted any
/// event, in any room, whatever the sender's power. Event types with server-side meaning now get the checks of
/// their dedicated path whichever endpoint carries them, or are refused.
/// </summary>
public sealed class RedactionAuthorisationTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    public static TheoryData<string, string> EnginesAndVersions()
    {
        var data = new TheoryData<string, string>();
        foreach (var engine in new[] { "sqlite", "postgres" })
            foreach (var version in new[] { "10", "11", "12" })
                data.Add(engine, version);
        return data;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient c, string roomId, string type, object content, string? txn = null) =>
        c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/{type}/{txn ?? Guid.NewGuid().ToString("N")}", content);

    private static Task<HttpResponseMessage> PutStateAsync(HttpClient c, string roomId, string type, string stateKey, object content) =>
        c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/{type}/{stateKey}", content);

    private static async Task<JsonElement> EventAsync(HttpClient c, string roomId, string eventId) =>
        await (await c.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(eventId))).AssertOkAsync();

    private static async Task<string> StateEventIdAsync(HttpClient c, string roomId, string type) =>
        (await (await c.GetRoomAsync(roomId, $"state/{type}/?format=event")).AssertOkAsync()).GetProperty("event_id").GetString()!;

    private static bool IsRedacted(JsonElement ev) =>
        ev.TryGetProperty("unsigned", out var u) && u.TryGetProperty("redacted_because", out _);

    [Theory, MemberData(nameof(EnginesAndVersions))]
    public async Task ARedactionThroughSend_OfAnEventInAnotherRoom_IsRefusedAndChangesNothing(string engine, string version)
    {
        var hs = await fixture.GetAsync(engine);
        using var alice = hs.ClientFor(await hs.RegisterAsync());
        using var mallory = hs.ClientFor(await hs.RegisterAsync());
        var privateRoom = await alice.CreateRoomAsync(new { preset = "private_chat", room_version = version });
        var secret = await alice.SendTextAsync(privateRoom, "secret plans");
        var ownRoom = await mallory.CreateRoomAsync(new { room_version = version });

        // A known event of another room is a bad request, as Synapse answers, through either endpoint.
        await (await SendAsync(mallory, ownRoom, "m.room.redaction", new { redacts = secret })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await mallory.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(ownRoom)}/redact/{Uri.EscapeDataString(secret)}/{Guid.NewGuid():N}", new { }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        // An unknown one is still unknown.
        await (await SendAsync(mallory, ownRoom, "m.room.redaction", new { redacts = "$unknown" + Guid.NewGuid().ToString("N") })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        var ev = await EventAsync(alice, privateRoom, secret);
        Assert.False(IsRedacted(ev));
        Assert.Equal("secret plans", ev.GetProperty("content").GetProperty("body").GetString());
    }

    [Theory, MemberData(nameof(EnginesAndVersions))]
    public async Task AMemberWithoutTheRedactLevel_CannotRedactStateOrOthersEvents_ThroughEitherEndpoint(string engine, string version)
    {
        var hs = await fixture.GetAsync(engine);
        using var alice = hs.ClientFor(await hs.RegisterAsync());
        using var bob = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await alice.CreateRoomAsync(new
        {
            preset = "public_chat", room_version = version, name = "Ops",
            initial_state = new[] { new { type = "m.room.encryption", state_key = "", content = (object)new { algorithm = "m.megolm.v1.aes-sha2" } } },
        });
        await bob.JoinAsync(roomId);
        var targets = new[] { "m.room.encryption", "m.room.name", "m.room.power_levels" };
        var ids = new List<string>();
        foreach (var type in targets)
            ids.Add(await StateEventIdAsync(alice, roomId, type));
        ids.Add(await alice.SendTextAsync(roomId, "alice's message"));

        foreach (var id in ids)
        {
            await (await SendAsync(bob, roomId, "m.room.redaction", new { redacts = id })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
            await (await bob.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/redact/{Uri.EscapeDataString(id)}/{Guid.NewGuid():N}", new { }))
                .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
            Assert.False(IsRedacted(await EventAsync(alice, roomId, id)));
        }
        var encryption = await (await alice.GetRoomAsync(roomId, "state/m.room.encryption/")).AssertOkAsync();
        Assert.Equal("m.megolm.v1.aes-sha2", encryption.GetProperty("algorithm").GetString());
    }

    [Theory, MemberData(nameof(EnginesAndVersions))]
    public async Task ThroughSend_ASenderRedactsTheirOwnEvent_AndAModeratorAnyones(string engine, string version)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, bob) = await hs.RegisterClientAsync();
        using var alice = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat", room_version = version });
        await bob.JoinAsync(roomId);
        var bobs = await bob.SendTextAsync(roomId, "bob's typo");
        var alices = await alice.SendTextAsync(roomId, "alice's message");

        await (await SendAsync(bob, roomId, "m.room.redaction", new { redacts = bobs, reason = "typo" })).AssertOkAsync();
        // The room's creator holds the redact level.
        await (await SendAsync(alice, roomId, "m.room.redaction", new { redacts = alices })).AssertOkAsync();

        Assert.True(IsRedacted(await EventAsync(alice, roomId, bobs)));
        Assert.True(IsRedacted(await EventAsync(bob, roomId, alices)));
    }

    [Theory, MemberData(nameof(EnginesAndVersions))]
    public async Task SpecialTypesInTheWrongShape_AreRefusedWithAClientError(string engine, string version)
    {
        var hs = await fixture.GetAsync(engine);
        using var alice = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await alice.CreateRoomAsync(new { room_version = version });
        var message = await alice.SendTextAsync(roomId, "hello");
        var create = await StateEventIdAsync(alice, roomId, "m.room.create");

        await (await PutStateAsync(alice, roomId, "m.room.create", "", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await SendAsync(alice, roomId, "m.room.create", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await PutStateAsync(alice, roomId, "m.room.redaction", "x", new { redacts = message })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await SendAsync(alice, roomId, "m.room.member", new { membership = "join" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await SendAsync(alice, roomId, "m.room.redaction", new { reason = "no target" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await SendAsync(alice, roomId, "m.room.redaction", new { redacts = "not an id" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        // Even the room's creator may not redact its create event.
        await (await SendAsync(alice, roomId, "m.room.redaction", new { redacts = create })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        Assert.False(IsRedacted(await EventAsync(alice, roomId, message)));
        Assert.False(IsRedacted(await EventAsync(alice, roomId, create)));
        var types = (await alice.MessagesAsync(roomId)).Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(1, types.Count(t => t == "m.room.create"));
        Assert.DoesNotContain("m.room.redaction", types);
    }
}
