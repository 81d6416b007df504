using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Xunit;

namespace Homeserver.IntegrationTests.Federation.Faults;

/// <summary>
/// Invites, joins, leaves, kicks and bans between users of two servers of ours, each made on one server and checked on
/// both: /members, the /sync section the room is in for the user concerned, and what that user may still do.
/// </summary>
public sealed class CrossServerMembershipTests
{
    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InviteJoinLeaveKickAndBan_AcrossServers_AgreeOnBothSides_AndBindWhatUsersMayDo(string engine)
    {
        await using var network = await FederationNetwork.StartAsync(engine, 2);
        var (a, b) = (network[0], network[1]);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (eve, eveClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var (carol, carolClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "private_chat" });

        // An invite reaches the invitee's server, and the invitee joins through the inviter's.
        await aliceClient.InviteAsync(roomId, bob.UserId);
        await RoomViews.EventuallyAsync(async () => await SyncSectionAsync(bobClient, roomId) == "invite",
            async () => $"bob's /sync shows the room as {await SyncSectionAsync(bobClient, roomId)}");
        await bobClient.JoinAsync(roomId);
        await aliceClient.WaitForMembershipAsync(roomId, bob.UserId, "join");
        Assert.Equal("join", (await bobClient.MembershipsAsync(roomId))[bob.UserId]);
        Assert.Equal("join", await SyncSectionAsync(bobClient, roomId));

        // Power given on A lets bob act on B over A's own users: he kicks eve.
        await aliceClient.InviteAsync(roomId, eve.UserId);
        await eveClient.JoinAsync(roomId);
        await bobClient.WaitForMembershipAsync(roomId, eve.UserId, "join");
        Assert.Equal(HttpStatusCode.Forbidden, (await bobClient.PostRoomAsync(roomId, "kick", new { user_id = eve.UserId })).StatusCode);
        var levels = (await aliceClient.StateContentAsync(roomId, "m.room.power_levels"))!.Value;
        var users = levels.GetProperty("users").Deserialize<Dictionary<string, int>>()!;
        users[bob.UserId] = 100;
        var powerLevels = await aliceClient.SendStateAsync(roomId, "m.room.power_levels", WithUsers(levels, users));
        await bobClient.WaitForEventAsync(roomId, powerLevels);
        await (await bobClient.PostRoomAsync(roomId, "kick", new { user_id = eve.UserId, reason = "from B" })).AssertOkAsync();
        await aliceClient.WaitForMembershipAsync(roomId, eve.UserId, "leave");
        Assert.Equal("leave", await SyncSectionAsync(eveClient, roomId));
        Assert.Equal(HttpStatusCode.Forbidden, (await eveClient.PutAsJsonAsync(
            $"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/{Guid.NewGuid():N}", new { msgtype = "m.text", body = "still here?" })).StatusCode);
        // The room is invite-only: a kicked user cannot come back by themselves.
        Assert.Equal(HttpStatusCode.Forbidden, (await eveClient.PostRoomAsync(roomId, "join", new { })).StatusCode);

        // A ban made on A binds carol on B: B's own state refuses her join.
        await aliceClient.InviteAsync(roomId, carol.UserId);
        await bobClient.WaitForMembershipAsync(roomId, carol.UserId, "invite");
        await carolClient.JoinAsync(roomId);
        await aliceClient.WaitForMembershipAsync(roomId, carol.UserId, "join");
        await (await aliceClient.PostRoomAsync(roomId, "ban", new { user_id = carol.UserId, reason = "spam" })).AssertOkAsync();
        await bobClient.WaitForMembershipAsync(roomId, carol.UserId, "ban");
        Assert.Equal("leave", await SyncSectionAsync(carolClient, roomId));
        Assert.Equal(HttpStatusCode.Forbidden, (await carolClient.PostRoomAsync(roomId, "join", new { })).StatusCode);

        // A leave made on B reaches A; bob may no longer send.
        await bobClient.LeaveAsync(roomId);
        await aliceClient.WaitForMembershipAsync(roomId, bob.UserId, "leave");
        Assert.Equal("leave", await SyncSectionAsync(bobClient, roomId));
        Assert.Equal(HttpStatusCode.Forbidden, (await bobClient.PutAsJsonAsync(
            $"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/{Guid.NewGuid():N}", new { msgtype = "m.text", body = "gone" })).StatusCode);

        var expected = new Dictionary<string, string>
        {
            [alice.UserId] = "join", [bob.UserId] = "leave", [eve.UserId] = "leave", [carol.UserId] = "ban",
        };
        Assert.Equal(expected, await aliceClient.MembershipsAsync(roomId));
    }

    private static Dictionary<string, object?> WithUsers(JsonElement levels, Dictionary<string, int> users)
    {
        var content = levels.Deserialize<Dictionary<string, object?>>()!;
        content["users"] = users;
        return content;
    }

    /// <summary>The section of an initial /sync (left rooms included) that holds the room: invite, join or leave.</summary>
    private static async Task<string?> SyncSectionAsync(HttpClient c, string roomId)
    {
        var filter = Uri.EscapeDataString("""{"room":{"include_leave":true,"timeline":{"limit":1}}}""");
        var rooms = (await (await c.GetAsync($"/_matrix/client/v3/sync?timeout=0&filter={filter}")).AssertOkAsync()).GetProperty("rooms");
        return new[] { "invite", "join", "leave" }.FirstOrDefault(s => rooms.TryGetProperty(s, out var section) && section.TryGetProperty(roomId, out _));
    }
}
