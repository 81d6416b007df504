using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Two servers of ours on loopback: users of one join, are invited to and refuse invites to rooms of the other over
/// the membership handshakes (make_join/send_join, invite, make_leave/send_leave, the directory query).
/// </summary>
public sealed class FederatedMembershipTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UserOfAnotherServer_JoinsAPublicRoomByIdWithVia_AndBothServersShowIt(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat", name = "Across", topic = "two servers" });

        var joined = await (await bobClient.PostAsync(
            $"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null)).AssertOkAsync();
        Assert.Equal(roomId, joined.GetProperty("room_id").GetString());

        Assert.Equal("join", await MembershipAsync(aliceClient, roomId, bob.UserId));
        Assert.Equal("join", await MembershipAsync(bobClient, roomId, alice.UserId));
        Assert.Equal("join", await MembershipAsync(bobClient, roomId, bob.UserId));

        var room = (await SyncAsync(bobClient)).GetProperty("rooms").GetProperty("join").GetProperty(roomId);
        var state = room.GetProperty("state").GetProperty("events").EnumerateArray()
            .Concat(room.GetProperty("timeline").GetProperty("events").EnumerateArray()).ToList();
        Assert.Contains(state, e => e.GetProperty("type").GetString() == "m.room.name" && e.GetProperty("content").GetProperty("name").GetString() == "Across");
        Assert.Contains(state, e => e.GetProperty("type").GetString() == "m.room.create");
        Assert.Contains(state, e => e.GetProperty("type").GetString() == "m.room.member" && e.GetProperty("state_key").GetString() == alice.UserId);
        var bobsJoin = room.GetProperty("timeline").GetProperty("events").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "m.room.member" && e.GetProperty("state_key").GetString() == bob.UserId);
        Assert.Equal("join", bobsJoin.GetProperty("content").GetProperty("membership").GetString());
        var topic = await (await bobClient.GetRoomAsync(roomId, "state/m.room.topic")).AssertOkAsync();
        Assert.Equal("two servers", topic.GetProperty("topic").GetString());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UserOfAnotherServer_JoinsByAlias_ResolvedAtTheAliasServer(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (carol, carolClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat", room_alias_name = "lobby" });
        var alias = $"#lobby:{a.Options.ServerName}";

        var directory = await (await carolClient.GetAsync("/_matrix/client/v3/directory/room/" + Uri.EscapeDataString(alias))).AssertOkAsync();
        Assert.Equal(roomId, directory.GetProperty("room_id").GetString());
        Assert.Contains(a.Options.ServerName, directory.GetProperty("servers").EnumerateArray().Select(s => s.GetString()));
        await (await carolClient.GetAsync("/_matrix/client/v3/directory/room/" + Uri.EscapeDataString($"#nothing:{a.Options.ServerName}")))
            .AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        var joined = await (await carolClient.PostAsync("/_matrix/client/v3/join/" + Uri.EscapeDataString(alias), null)).AssertOkAsync();
        Assert.Equal(roomId, joined.GetProperty("room_id").GetString());
        Assert.Equal("join", await MembershipAsync(aliceClient, roomId, carol.UserId));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InvitedUserOfAnotherServer_SeesTheInviteInSync_AndJoins(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "private_chat", name = "Invite only" });
        var before = (await SyncAsync(bobClient)).GetProperty("next_batch").GetString()!;

        await aliceClient.InviteAsync(roomId, bob.UserId);

        Assert.Equal("invite", await MembershipAsync(aliceClient, roomId, bob.UserId));
        var invite = (await SyncAsync(bobClient, before)).GetProperty("rooms").GetProperty("invite").GetProperty(roomId)
            .GetProperty("invite_state").GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(invite, e => e.GetProperty("type").GetString() == "m.room.name" && e.GetProperty("content").GetProperty("name").GetString() == "Invite only");
        var own = invite.Single(e => e.GetProperty("type").GetString() == "m.room.member");
        Assert.Equal(bob.UserId, own.GetProperty("state_key").GetString());
        Assert.Equal(alice.UserId, own.GetProperty("sender").GetString());

        // No via: the server of the user who invited is the one to join through.
        await bobClient.JoinAsync(roomId);
        Assert.Equal("join", await MembershipAsync(aliceClient, roomId, bob.UserId));
        Assert.True((await SyncAsync(bobClient)).GetProperty("rooms").GetProperty("join").TryGetProperty(roomId, out _));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomCreatedWithAnInviteOfAnotherServersUser_InvitesThemThere_AndTheyJoin(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();

        var roomId = await aliceClient.CreateRoomAsync(new { preset = "private_chat", room_version = "3", invite = new[] { bob.UserId } });

        Assert.Equal("invite", await MembershipAsync(aliceClient, roomId, bob.UserId));
        Assert.True((await SyncAsync(bobClient)).GetProperty("rooms").GetProperty("invite").TryGetProperty(roomId, out _));
        await bobClient.JoinAsync(roomId);
        Assert.Equal("join", await MembershipAsync(aliceClient, roomId, bob.UserId));
        await (await aliceClient.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { invite = new[] { $"@nobody:{a.Options.ServerName}" } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InviteFromAnotherServer_IsRefused_ThroughThatServer(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "private_chat" });
        await aliceClient.InviteAsync(roomId, bob.UserId);
        Assert.True((await SyncAsync(bobClient)).GetProperty("rooms").GetProperty("invite").TryGetProperty(roomId, out _));

        await bobClient.LeaveAsync(roomId);

        Assert.Equal("leave", await MembershipAsync(aliceClient, roomId, bob.UserId));
        Assert.False((await SyncAsync(bobClient)).GetProperty("rooms").GetProperty("invite").TryGetProperty(roomId, out _));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task JoiningAnInviteOnlyRoomWithoutInvite_IsRefused_AndLeavesNoRoomBehind(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (_, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "private_chat" });

        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.False((await SyncAsync(bobClient)).GetProperty("rooms").GetProperty("join").TryGetProperty(roomId, out _));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RestrictedRoom_AdmitsAMemberOfTheAllowedRoom_ThroughAResidentAuthoriser(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var space = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });
        var restricted = await aliceClient.CreateRoomAsync(new
        {
            preset = "private_chat",
            initial_state = new[]
            {
                new { type = "m.room.join_rules", state_key = "", content = (object)new { join_rule = "restricted", allow = new[] { new { type = "m.room_membership", room_id = space } } } },
            },
        });
        var via = "?via=" + Uri.EscapeDataString(a.Options.ServerName);

        // Not yet a member of the allowed room: the rules refuse.
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(restricted)}{via}", null))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(space)}{via}", null)).AssertOkAsync();
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(restricted)}{via}", null)).AssertOkAsync();

        var members = await (await aliceClient.GetRoomAsync(restricted, "members")).AssertOkAsync();
        var join = members.GetProperty("chunk").EnumerateArray().Single(e => e.GetProperty("state_key").GetString() == bob.UserId);
        Assert.Equal("join", join.GetProperty("content").GetProperty("membership").GetString());
        Assert.Equal(alice.UserId, join.GetProperty("content").GetProperty("join_authorised_via_users_server").GetString());
        Assert.Equal("join", await MembershipAsync(bobClient, restricted, bob.UserId));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UserOfAnotherServer_KnocksOnARoom_AndSeesTheKnockInSync(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new
        {
            preset = "private_chat", name = "Knock first",
            initial_state = new[] { new { type = "m.room.join_rules", state_key = "", content = new { join_rule = "knock" } } },
        });

        await (await bobClient.PostAsJsonAsync($"/_matrix/client/v3/knock/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}",
            new { reason = "let me in" })).AssertOkAsync();

        Assert.Equal("knock", await MembershipAsync(aliceClient, roomId, bob.UserId));
        var knock = (await SyncAsync(bobClient)).GetProperty("rooms").GetProperty("knock").GetProperty(roomId)
            .GetProperty("knock_state").GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(knock, e => e.GetProperty("type").GetString() == "m.room.join_rules" && e.GetProperty("content").GetProperty("join_rule").GetString() == "knock");
        Assert.Contains(knock, e => e.GetProperty("type").GetString() == "m.room.member" && e.GetProperty("state_key").GetString() == bob.UserId);
    }

    internal static async Task<string?> MembershipAsync(HttpClient client, string roomId, string userId)
    {
        var members = await (await client.GetRoomAsync(roomId, "members")).AssertOkAsync();
        return members.GetProperty("chunk").EnumerateArray()
            .Where(e => e.GetProperty("state_key").GetString() == userId)
            .Select(e => e.GetProperty("content").GetProperty("membership").GetString()).SingleOrDefault();
    }

    private static async Task<JsonElement> SyncAsync(HttpClient client, string? since = null) =>
        await (await client.GetAsync("/_matrix/client/v3/sync?timeout=0" + (since is null ? "" : "&since=" + Uri.EscapeDataString(since)))).AssertOkAsync();

    public void Dispose() => _ca.Dispose();
}
