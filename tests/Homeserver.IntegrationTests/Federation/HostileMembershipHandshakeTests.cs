using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// The membership handshakes as another server might abuse them: asking for other servers' users, signing with a
/// key that is not its own, changing the event it was given, replaying it, and answering a join with an auth chain
/// that does not hold together.
/// </summary>
public sealed class HostileMembershipHandshakeTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task MakeJoin_RefusesOtherServersUsers_UnknownRooms_AndServersWithoutTheRoomVersion(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat", room_version = "10" });
        var federation = b.Services.GetRequiredService<FederationClient>();

        var ok = await federation.SendAsync(HttpMethod.Get, a.Options.ServerName, MakeJoin(roomId, $"@bob:{b.Options.ServerName}") + "?ver=10", null, default);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        AssertError(await federation.SendAsync(HttpMethod.Get, a.Options.ServerName,
            MakeJoin(roomId, $"@bob:{a.Options.ServerName}") + "?ver=10", null, default), HttpStatusCode.Forbidden, "M_FORBIDDEN");
        AssertError(await federation.SendAsync(HttpMethod.Get, a.Options.ServerName,
            MakeJoin(roomId, "@bob:third.example") + "?ver=10", null, default), HttpStatusCode.Forbidden, "M_FORBIDDEN");
        AssertError(await federation.SendAsync(HttpMethod.Get, a.Options.ServerName,
            MakeJoin($"!nothing:{a.Options.ServerName}", $"@bob:{b.Options.ServerName}") + "?ver=10", null, default), HttpStatusCode.NotFound, "M_NOT_FOUND");
        var incompatible = AssertError(await federation.SendAsync(HttpMethod.Get, a.Options.ServerName,
            MakeJoin(roomId, $"@bob:{b.Options.ServerName}") + "?ver=1&ver=2", null, default), HttpStatusCode.BadRequest, "M_INCOMPATIBLE_ROOM_VERSION");
        Assert.Equal("10", incompatible.GetProperty("room_version").GetString());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SendJoin_RefusesForgedSignatures_ChangedEvents_WrongSenders_AndOtherMemberships(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat", room_version = "10" });
        var federation = b.Services.GetRequiredService<FederationClient>();
        var realKey = b.Services.GetRequiredService<SigningKey>();
        var bob = UserId.Parse($"@bob:{b.Options.ServerName}");
        var template = await TemplateAsync(federation, a, roomId, bob);

        using var forged = SigningKey.FromSeed(realKey.Version, RandomNumberGenerator.GetBytes(32));
        var forgedJoin = template.Build(RoomId.Parse(roomId), bob, new JsonObject { ["membership"] = "join" }, Now(), forged);
        AssertError(await SendJoinAsync(federation, a, roomId, forgedJoin.EventId.ToString(), forgedJoin.Json), HttpStatusCode.Forbidden, "M_FORBIDDEN");

        var join = template.Build(RoomId.Parse(roomId), bob, new JsonObject { ["membership"] = "join" }, Now(), realKey);
        var changed = (JsonObject)join.Json.DeepClone();
        changed["origin_server_ts"] = join.OriginServerTs + 1;
        // The same ID in the path: the change shows in the ID the event hashes to.
        AssertError(await SendJoinAsync(federation, a, roomId, join.EventId.ToString(), changed), HttpStatusCode.BadRequest, "M_BAD_JSON");
        // Its own ID in the path: the signature no longer covers it.
        var changedId = Pdu.FromJson((JsonObject)changed.DeepClone(), join.RoomVersion).EventId.ToString();
        AssertError(await SendJoinAsync(federation, a, roomId, changedId, changed), HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // A user of another server than the one asking, signed by the asker.
        var third = UserId.Parse("@mallory:third.example");
        var thirdsJoin = Rebuilt(join, realKey, b.Options.ServerName, e => { e["sender"] = third.ToString(); e["state_key"] = third.ToString(); });
        AssertError(await SendJoinAsync(federation, a, roomId, thirdsJoin.EventId.ToString(), thirdsJoin.Json), HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // Not a join, though sent as one.
        var leave = Rebuilt(join, realKey, b.Options.ServerName, e => e["content"] = new JsonObject { ["membership"] = "leave" });
        AssertError(await SendJoinAsync(federation, a, roomId, leave.EventId.ToString(), leave.Json), HttpStatusCode.BadRequest, "M_BAD_JSON");
        Assert.Null(await FederatedMembershipTests.MembershipAsync(aliceClient, roomId, bob.ToString()));

        // The real join, twice: a replay answers the same and stores nothing twice.
        var first = JsonNode.Parse((await SendJoinAsync(federation, a, roomId, join.EventId.ToString(), join.Json)).Body)!.AsObject();
        var replay = JsonNode.Parse((await SendJoinAsync(federation, a, roomId, join.EventId.ToString(), join.Json)).Body)!.AsObject();
        Assert.Equal(join.EventId.ToString(), Pdu.FromJson(first["event"]!.AsObject(), join.RoomVersion).EventId.ToString());
        Assert.Equal(first["state"]!.AsArray().Count, replay["state"]!.AsArray().Count);
        Assert.Contains(first["state"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "m.room.create");
        Assert.DoesNotContain(first["state"]!.AsArray(), e => e!["state_key"]?.GetValue<string>() == bob.ToString());
        Assert.Contains(a.Options.ServerName, first["servers_in_room"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("join", await FederatedMembershipTests.MembershipAsync(aliceClient, roomId, bob.ToString()));
        var members = await (await aliceClient.GetRoomAsync(roomId, "members")).AssertOkAsync();
        Assert.Single(members.GetProperty("chunk").EnumerateArray(), m => m.GetProperty("state_key").GetString() == bob.ToString());

        // With omit_members the members are left out but the heroes a nameless room is called by (here its creator).
        var omitted = JsonNode.Parse((await SendJoinAsync(federation, a, roomId, join.EventId.ToString(), join.Json, "?omit_members=true")).Body)!.AsObject();
        Assert.True(omitted["members_omitted"]!.GetValue<bool>());
        Assert.Equal([alice.UserId], omitted["state"]!.AsArray().Where(e => e!["type"]!.GetValue<string>() == "m.room.member")
            .Select(e => e!["state_key"]!.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AJoinAnswer_WhoseAuthChainDoesNotHoldTogether_IsRefusedBeforeAnythingIsStored(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat", room_version = "10" });
        var federation = b.Services.GetRequiredService<FederationClient>();
        var verifier = b.Services.GetRequiredService<JoinStateVerifier>();
        var bob = UserId.Parse($"@bob:{b.Options.ServerName}");
        var template = await TemplateAsync(federation, a, roomId, bob);
        var join = template.Build(RoomId.Parse(roomId), bob, new JsonObject { ["membership"] = "join" }, Now(), b.Services.GetRequiredService<SigningKey>());
        var answer = JsonNode.Parse((await SendJoinAsync(federation, a, roomId, join.EventId.ToString(), join.Json)).Body)!.AsObject();

        var verified = await verifier.VerifyAsync(answer, join, a.Options.ServerName, default);
        Assert.Contains(verified.State.Keys, k => k.Type == "m.room.power_levels");

        // The power levels dropped from the auth chain and the state: the events citing them lack an auth event.
        await Assert.ThrowsAsync<RemoteRoomException>(() => verifier.VerifyAsync(Without(answer, "m.room.power_levels"), join, a.Options.ServerName, default));
        // No create event at all.
        await Assert.ThrowsAsync<RemoteRoomException>(() => verifier.VerifyAsync(Without(answer, "m.room.create"), join, a.Options.ServerName, default));
        // An event changed after its server signed it (its timestamp moved): its signature fails.
        var tampered = (JsonObject)answer.DeepClone();
        foreach (var list in new[] { "state", "auth_chain" })
            foreach (var e in tampered[list]!.AsArray())
                if (e!["type"]!.GetValue<string>() == "m.room.join_rules")
                    e["origin_server_ts"] = e["origin_server_ts"]!.GetValue<long>() + 1;
        await Assert.ThrowsAsync<RemoteRoomException>(() => verifier.VerifyAsync(tampered, join, a.Options.ServerName, default));
        // An event of another room slipped in.
        var (_, other) = await a.RegisterClientAsync();
        var otherRoom = await other.CreateRoomAsync(new { preset = "public_chat", room_version = "10" });
        var otherTemplate = await TemplateAsync(federation, a, otherRoom, bob);
        var otherJoin = otherTemplate.Build(RoomId.Parse(otherRoom), bob, new JsonObject { ["membership"] = "join" }, Now(), b.Services.GetRequiredService<SigningKey>());
        var otherAnswer = JsonNode.Parse((await SendJoinAsync(federation, a, otherRoom, otherJoin.EventId.ToString(), otherJoin.Json)).Body)!.AsObject();
        var mixed = (JsonObject)answer.DeepClone();
        mixed["state"]!.AsArray().Add(otherAnswer["state"]!.AsArray()[0]!.DeepClone());
        await Assert.ThrowsAsync<RemoteRoomException>(() => verifier.VerifyAsync(mixed, join, a.Options.ServerName, default));

        Assert.False((await (await b.RegisterClientAsync()).Client.GetRoomAsync(roomId, "members")).IsSuccessStatusCode);
    }

    private static JsonObject Without(JsonObject answer, string type)
    {
        var copy = (JsonObject)answer.DeepClone();
        foreach (var list in new[] { "state", "auth_chain" })
        {
            var kept = new JsonArray(copy[list]!.AsArray().Where(e => e!["type"]!.GetValue<string>() != type).Select(e => e!.DeepClone()).ToArray());
            copy[list] = kept;
        }
        return copy;
    }

    private static Pdu Rebuilt(Pdu join, SigningKey key, string serverName, Action<JsonObject> change)
    {
        var json = (JsonObject)join.Json.DeepClone();
        json.Remove("signatures");
        json.Remove("hashes");
        change(json);
        EventSigner.Sign(json, join.RoomVersion, serverName, key);
        return Pdu.FromJson(json, join.RoomVersion);
    }

    private static async Task<MembershipTemplate> TemplateAsync(FederationClient federation, TestHomeserver a, string roomId, UserId user) =>
        MembershipTemplate.Check(await federation.SendForJsonAsync(HttpMethod.Get, a.Options.ServerName, MakeJoin(roomId, user.ToString()) + "?ver=10", null, default),
            RoomId.Parse(roomId), user, "join");

    private static Task<Homeserver.Core.Outbound.OutboundResponse> SendJoinAsync(FederationClient federation, TestHomeserver a, string roomId, string eventId,
        JsonObject body, string query = "") =>
        federation.SendAsync(HttpMethod.Put, a.Options.ServerName,
            $"/_matrix/federation/v2/send_join/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(eventId)}{query}", body, default);

    private static string MakeJoin(string roomId, string userId) =>
        $"/_matrix/federation/v1/make_join/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(userId)}";

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static JsonElement AssertError(Homeserver.Core.Outbound.OutboundResponse response, HttpStatusCode status, string errcode)
    {
        var body = JsonDocument.Parse(response.Body).RootElement;
        Assert.True(response.StatusCode == status, $"expected {(int)status} {errcode}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(errcode, body.GetProperty("errcode").GetString());
        return body;
    }

    public void Dispose() => _ca.Dispose();
}
