using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// <c>invite</c> v2 as another server might abuse it: inviting for someone else's users, from someone else's users,
/// with a forged signature, under another event ID, in a room version we do not know. Only a well-formed invite of
/// its own user, for one of ours, is signed and shown to our user.
/// </summary>
public sealed class HostileInviteTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OnlyAWellFormedInviteOfTheOriginsUser_ForOneOfOurs_IsSignedAndShown(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var federation = b.Services.GetRequiredService<FederationClient>();
        var key = b.Services.GetRequiredService<SigningKey>();
        var room = RoomId.Parse($"!elsewhere:{b.Options.ServerName}");
        var bob = UserId.Parse($"@bob:{b.Options.ServerName}");

        using var forged = SigningKey.FromSeed(key.Version, RandomNumberGenerator.GetBytes(32));
        Assert.Equal(HttpStatusCode.Forbidden, (await InviteAsync(federation, a, Invite(room, bob, alice.UserId, forged))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await InviteAsync(federation, a, Invite(room, UserId.Parse("@mallory:third.example"), alice.UserId, key))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await InviteAsync(federation, a, Invite(room, bob, $"@carol:{b.Options.ServerName}", key))).StatusCode);
        var valid = Invite(room, bob, alice.UserId, key);
        Assert.Equal(HttpStatusCode.BadRequest, (await InviteAsync(federation, a, valid, eventId: Invite(room, bob, alice.UserId, key).EventId.ToString())).StatusCode);
        var unknownVersion = await InviteAsync(federation, a, valid, version: "999");
        Assert.Equal(HttpStatusCode.BadRequest, unknownVersion.StatusCode);
        Assert.Equal("M_INCOMPATIBLE_ROOM_VERSION", JsonDocument.Parse(unknownVersion.Body).RootElement.GetProperty("errcode").GetString());
        Assert.False((await SyncAsync(aliceClient)).GetProperty("rooms").GetProperty("invite").TryGetProperty(room.ToString(), out _));

        var accepted = await InviteAsync(federation, a, valid);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var signed = JsonNode.Parse(accepted.Body)!["event"]!.AsObject();
        Assert.True(signed["signatures"]!.AsObject().ContainsKey(a.Options.ServerName));
        Assert.Equal(valid.EventId, Pdu.FromJson(signed, valid.RoomVersion).EventId);
        var invite = (await SyncAsync(aliceClient)).GetProperty("rooms").GetProperty("invite").GetProperty(room.ToString())
            .GetProperty("invite_state").GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(invite, e => e.GetProperty("type").GetString() == "m.room.name" && e.GetProperty("content").GetProperty("name").GetString() == "Sent along");
        Assert.Contains(invite, e => e.GetProperty("type").GetString() == "m.room.member" && e.GetProperty("sender").GetString() == bob.ToString());
    }

    /// <summary>
    /// An invite for a name nobody holds here is signed, as Synapse signs it (the inviter learns nothing of who exists
    /// here), but kept nowhere: whoever registers that name later does not find it waiting.
    /// </summary>
    [Fact]
    public async Task AnInviteForNobody_IsSigned_ButNotHandedToWhoeverTakesTheNameLater()
    {
        await using var a = await FederationTestServers.StartAsync("sqlite", _ca);
        await using var b = await FederationTestServers.StartAsync("sqlite", _ca);
        var federation = b.Services.GetRequiredService<FederationClient>();
        var room = RoomId.Parse($"!elsewhere:{b.Options.ServerName}");
        var bob = UserId.Parse($"@bob:{b.Options.ServerName}");
        var invite = Invite(room, bob, $"@nobody:{a.Options.ServerName}", b.Services.GetRequiredService<SigningKey>());

        var accepted = await InviteAsync(federation, a, invite);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.True(JsonNode.Parse(accepted.Body)!["event"]!["signatures"]!.AsObject().ContainsKey(a.Options.ServerName));
        var (_, nobodyClient) = await a.RegisterClientAsync("nobody");
        Assert.False((await SyncAsync(nobodyClient)).GetProperty("rooms").GetProperty("invite").TryGetProperty(room.ToString(), out _));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InviteWhoseEventIdHoldsASlash_IsTakenUnderThatId(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var room = RoomId.Parse($"!elsewhere:{b.Options.ServerName}");
        var bob = UserId.Parse($"@bob:{b.Options.ServerName}");
        // Room version 3 IDs are standard Base64, so about one in two holds a '/', which the path carries as %2F.
        var invite = Enumerable.Range(0, 100).Select(_ => Invite(room, bob, alice.UserId, b.Services.GetRequiredService<SigningKey>(), RoomVersions.V3))
            .First(i => i.EventId.ToString().Contains('/'));

        var accepted = await InviteAsync(b.Services.GetRequiredService<FederationClient>(), a, invite);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(invite.EventId, Pdu.FromJson(JsonNode.Parse(accepted.Body)!["event"]!.AsObject(), invite.RoomVersion).EventId);
        Assert.True((await SyncAsync(aliceClient)).GetProperty("rooms").GetProperty("invite").TryGetProperty(room.ToString(), out _));
    }

    private static Pdu Invite(RoomId room, UserId sender, string invitee, SigningKey key, RoomVersion? version = null) => new EventBuilder
    {
        RoomVersion = version ?? RoomVersions.V10,
        Type = EventTypes.Member,
        Sender = sender,
        RoomId = room,
        StateKey = invitee,
        Content = new JsonObject { ["membership"] = "invite" },
        // Letters and digits only, the Base64 both alphabets share, so the ID suits every room version's format.
        PrevEvents = [EventId.Parse("$" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', 'A').Replace('/', 'A'))],
        AuthEvents = [],
        Depth = 3,
        OriginServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + RandomNumberGenerator.GetInt32(1000),
    }.Build(key);

    private static Task<Homeserver.Core.Outbound.OutboundResponse> InviteAsync(FederationClient federation, TestHomeserver target, Pdu invite,
        string? eventId = null, string? version = null) =>
        federation.SendAsync(HttpMethod.Put, target.Options.ServerName,
            $"/_matrix/federation/v2/invite/{Uri.EscapeDataString(invite.RoomId.ToString())}/{Uri.EscapeDataString(eventId ?? invite.EventId.ToString())}",
            new JsonObject
            {
                ["room_version"] = version ?? invite.RoomVersion.Id,
                ["event"] = invite.Json.DeepClone(),
                ["invite_room_state"] = new JsonArray(
                    new JsonObject { ["type"] = "m.room.name", ["state_key"] = "", ["sender"] = invite.Sender.ToString(), ["content"] = new JsonObject { ["name"] = "Sent along" } },
                    new JsonObject { ["type"] = "m.room.name", ["content"] = "not stripped state" }),
            }, default);

    private static async Task<JsonElement> SyncAsync(HttpClient client) =>
        await (await client.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync();

    public void Dispose() => _ca.Dispose();
}
