using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Outbound;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// The v1 forms of <c>send_join</c>, <c>send_leave</c> and <c>invite</c>, which older servers still use: the same checks as
/// v2, answered in v1's <c>[200, answer]</c> wrapper; v1's invite carries the bare event with its stripped state in
/// <c>unsigned</c>.
/// </summary>
public sealed class V1MembershipApiTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SendJoinAndSendLeaveV1_AreCheckedAsV2_AndAnsweredInTheV1Wrapper(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat", room_version = "1" });
        var federation = b.Services.GetRequiredService<FederationClient>();
        var key = b.Services.GetRequiredService<SigningKey>();
        var bob = UserId.Parse($"@bob:{b.Options.ServerName}");
        var template = await TemplateAsync(federation, a, roomId, bob, "join");

        using var forged = SigningKey.FromSeed(key.Version, RandomNumberGenerator.GetBytes(32));
        var forgedJoin = template.Build(RoomId.Parse(roomId), bob, new JsonObject { ["membership"] = "join" }, Now(), forged);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(federation, a, "send_join", roomId, forgedJoin)).StatusCode);
        var unsigned = (JsonObject)forgedJoin.Json.DeepClone();
        unsigned.Remove("signatures");
        unsigned.Remove("hashes");
        var unsignedAnswer = await federation.SendAsync(HttpMethod.Put, a.Options.ServerName,
            $"/_matrix/federation/v1/send_join/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(forgedJoin.EventId.ToString())}", unsigned, default);
        Assert.Equal(HttpStatusCode.Forbidden, unsignedAnswer.StatusCode);
        var join = template.Build(RoomId.Parse(roomId), bob, new JsonObject { ["membership"] = "join" }, Now(), key);
        var joined = Wrapped(await PutAsync(federation, a, "send_join", roomId, join));

        Assert.Contains(joined["state"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "m.room.create");
        Assert.NotEmpty(joined["auth_chain"]!.AsArray());
        Assert.Equal("join", await FederatedMembershipTests.MembershipAsync(aliceClient, roomId, bob.ToString()));

        var leave = (await TemplateAsync(federation, a, roomId, bob, "leave"))
            .Build(RoomId.Parse(roomId), bob, new JsonObject { ["membership"] = "leave" }, Now(), key);
        Assert.Empty(Wrapped(await PutAsync(federation, a, "send_leave", roomId, leave)));
        Assert.Equal("leave", await FederatedMembershipTests.MembershipAsync(aliceClient, roomId, bob.ToString()));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InviteV1_TakesTheBareEvent_WithItsStrippedStateInUnsigned(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var federation = b.Services.GetRequiredService<FederationClient>();
        var room = RoomId.Parse($"!old:{b.Options.ServerName}");
        var bob = UserId.Parse($"@bob:{b.Options.ServerName}");
        var invite = new EventBuilder
        {
            RoomVersion = RoomVersions.V1,
            Type = EventTypes.Member,
            Sender = bob,
            RoomId = room,
            StateKey = alice.UserId,
            Content = new JsonObject { ["membership"] = "invite" },
            PrevEvents = [],
            AuthEvents = [],
            Depth = 3,
            OriginServerTs = Now(),
        }.Build(b.Services.GetRequiredService<SigningKey>());
        var body = (JsonObject)invite.Json.DeepClone();
        body["unsigned"] = new JsonObject
        {
            ["invite_room_state"] = new JsonArray(new JsonObject
            {
                ["type"] = "m.room.name", ["state_key"] = "", ["sender"] = bob.ToString(), ["content"] = new JsonObject { ["name"] = "Old times" },
            }),
        };

        var answer = Wrapped(await federation.SendAsync(HttpMethod.Put, a.Options.ServerName,
            $"/_matrix/federation/v1/invite/{Uri.EscapeDataString(room.ToString())}/{Uri.EscapeDataString(invite.EventId.ToString())}", body, default));

        Assert.True(answer["event"]!["signatures"]!.AsObject().ContainsKey(a.Options.ServerName));
        var sync = await (await aliceClient.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync();
        var state = sync.GetProperty("rooms").GetProperty("invite").GetProperty(room.ToString()).GetProperty("invite_state").GetProperty("events").EnumerateArray();
        Assert.Contains(state, e => e.GetProperty("type").GetString() == "m.room.name" && e.GetProperty("content").GetProperty("name").GetString() == "Old times");
    }

    /// <summary>The answer inside v1's <c>[200, answer]</c>.</summary>
    private static JsonObject Wrapped(OutboundResponse response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pair = JsonNode.Parse(response.Body)!.AsArray();
        Assert.Equal(2, pair.Count);
        Assert.Equal(200, pair[0]!.GetValue<int>());
        return pair[1]!.AsObject();
    }

    private static async Task<MembershipTemplate> TemplateAsync(FederationClient federation, TestHomeserver a, string roomId, UserId user, string membership) =>
        MembershipTemplate.Check(await federation.SendForJsonAsync(HttpMethod.Get, a.Options.ServerName,
            $"/_matrix/federation/v1/make_{membership}/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(user.ToString())}?ver=1", null, default),
            RoomId.Parse(roomId), user, membership);

    private static Task<OutboundResponse> PutAsync(FederationClient federation, TestHomeserver a, string endpoint, string roomId, Pdu pdu) =>
        federation.SendAsync(HttpMethod.Put, a.Options.ServerName,
            $"/_matrix/federation/v1/{endpoint}/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(pdu.EventId.ToString())}", pdu.Json, default);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public void Dispose() => _ca.Dispose();
}
