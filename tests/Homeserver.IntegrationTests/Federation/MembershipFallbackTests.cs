using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Outbound;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Membership handshakes with servers that cannot or will not play their part, as Synapse copes with them: a server
/// lacking the v2 <c>send_join</c> and <c>invite</c> is asked at v1; an invite whose servers refuse the leave, or are
/// down, is declined here alone; a server the room's ACL denies gets no handshake.
/// </summary>
public sealed class MembershipFallbackTests : IDisposable
{
    private const string V2 = "/_matrix/federation/v2";

    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task JoinAndInvite_AreSentAtV1_ToAServerThatLacksV2(string engine)
    {
        var stub = new FederationAnswerStub();
        stub.Refuse($"{V2}/send_join", 404);
        stub.Refuse($"{V2}/invite", 404);
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: builder => builder.Services.AddSingleton<IStartupFilter>(stub));
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();

        var bobsRoom = await bobClient.CreateRoomAsync(new { preset = "public_chat" });
        await (await aliceClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(bobsRoom)}?via={Uri.EscapeDataString(b.Options.ServerName)}", null))
            .AssertOkAsync();
        Assert.Single(stub.RequestsTo($"{V2}/send_join"));
        Assert.Equal("join", await FederatedMembershipTests.MembershipAsync(bobClient, bobsRoom, alice.UserId));
        Assert.Equal("join", await FederatedMembershipTests.MembershipAsync(aliceClient, bobsRoom, alice.UserId));

        // v1 knows no room version: only rooms of the event format of versions 1 and 2 are offered to it.
        var newRoom = await aliceClient.CreateRoomAsync(new { preset = "private_chat" });
        await (await aliceClient.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(newRoom)}/invite", new { user_id = bob.UserId }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNSUPPORTED_ROOM_VERSION");
        var alicesRoom = await aliceClient.CreateRoomAsync(new { preset = "private_chat", room_version = "2" });
        await aliceClient.InviteAsync(alicesRoom, bob.UserId);
        Assert.Equal(2, stub.RequestsTo($"{V2}/invite").Count);
        Assert.Equal("invite", await FederatedMembershipTests.MembershipAsync(aliceClient, alicesRoom, bob.UserId));
        var invited = (await SyncAsync(bobClient)).GetProperty("rooms").GetProperty("invite");
        Assert.True(invited.TryGetProperty(alicesRoom, out _), invited.ToString());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnInvite_IsDeclinedHereAlone_WhenTheRoomsServerRefusesTheLeave_OrIsDown(string engine)
    {
        var stub = new FederationAnswerStub();
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var a = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: builder => builder.Services.AddSingleton<IStartupFilter>(stub));
        var (bob, bobClient) = await b.RegisterClientAsync();
        string refusing, goingDown, since;
        try
        {
            var (_, aliceClient) = await a.RegisterClientAsync();
            refusing = await aliceClient.CreateRoomAsync(new { preset = "private_chat" });
            goingDown = await aliceClient.CreateRoomAsync(new { preset = "private_chat" });
            await aliceClient.InviteAsync(refusing, bob.UserId);
            await aliceClient.InviteAsync(goingDown, bob.UserId);
            since = (await SyncAsync(bobClient)).GetProperty("next_batch").GetString()!;

            stub.Refuse("/_matrix/federation/v1/make_leave", 403);
            await (await bobClient.PostAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(refusing)}/leave", null)).AssertOkAsync();
            Assert.Single(stub.RequestsTo("/_matrix/federation/v1/make_leave"));
            // The room's server never learned of it.
            Assert.Equal("invite", await FederatedMembershipTests.MembershipAsync(aliceClient, refusing, bob.UserId));
        }
        finally
        {
            await a.DisposeAsync();
        }
        await (await bobClient.PostAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(goingDown)}/leave", null)).AssertOkAsync();

        var rooms = (await SyncAsync(bobClient, since)).GetProperty("rooms");
        foreach (var room in new[] { refusing, goingDown })
        {
            Assert.False(rooms.GetProperty("invite").TryGetProperty(room, out _));
            var leave = Assert.Single(rooms.GetProperty("leave").GetProperty(room).GetProperty("timeline").GetProperty("events").EnumerateArray());
            Assert.Equal("m.room.member", leave.GetProperty("type").GetString());
            Assert.Equal(bob.UserId, leave.GetProperty("sender").GetString());
            Assert.Equal(bob.UserId, leave.GetProperty("state_key").GetString());
            Assert.Equal("leave", leave.GetProperty("content").GetProperty("membership").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AServerTheAclDenies_GetsNoJoinOrLeaveHandshake(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });
        var fromB = new RemotePduFactory(a, b);
        var bob = fromB.User("bob");
        var room = Uri.EscapeDataString(roomId);
        var user = Uri.EscapeDataString(bob.ToString());
        var makeJoin = $"/_matrix/federation/v1/make_join/{room}/{user}?ver=10&ver=11&ver=12";
        var makeLeave = $"/_matrix/federation/v1/make_leave/{room}/{user}";
        Assert.Equal(HttpStatusCode.OK, (await fromB.GetAsync(makeJoin)).StatusCode);

        await (await aliceClient.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/state/m.room.server_acl",
            new { allow = new[] { "*" }, deny = new[] { fromB.ServerName.Split(':')[0] } })).AssertOkAsync();

        AssertDeniedByAcl(await fromB.GetAsync(makeJoin));
        AssertDeniedByAcl(await fromB.GetAsync(makeLeave));
        var join = await fromB.JoinAsync(RoomId.Parse(roomId), bob);
        AssertDeniedByAcl(await b.Services.GetRequiredService<FederationClient>().SendAsync(HttpMethod.Put, a.Options.ServerName,
            $"{V2}/send_join/{room}/{Uri.EscapeDataString(join.EventId.ToString())}", join.Json, CancellationToken.None));
        Assert.Null(await FederatedMembershipTests.MembershipAsync(aliceClient, roomId, bob.ToString()));
    }

    /// <summary>Refused for the ACL, not for anything else a handshake may be refused for.</summary>
    private static void AssertDeniedByAcl(OutboundResponse response)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = JsonNode.Parse(response.Body)!;
        Assert.Equal("M_FORBIDDEN", error["errcode"]!.GetValue<string>());
        Assert.Equal(ServerAcls.DeniedMessage, error["error"]!.GetValue<string>());
    }

    private static async Task<JsonElement> SyncAsync(HttpClient client, string? since = null) =>
        await (await client.GetAsync("/_matrix/client/v3/sync?timeout=0" + (since is null ? "" : "&since=" + Uri.EscapeDataString(since)))).AssertOkAsync();

    public void Dispose() => _ca.Dispose();
}
