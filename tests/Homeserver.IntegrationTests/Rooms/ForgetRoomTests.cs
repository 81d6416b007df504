using System.Net;
using System.Net.Http.Json;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary><c>POST /rooms/{roomId}/forget</c> and the forgotten flag that sync will read.</summary>
public sealed class ForgetRoomTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static Task<bool> IsForgottenAsync(TestHomeserver hs, TestUser user, string roomId) =>
        hs.Services.GetRequiredService<ForgottenRoomStore>().IsForgottenAsync(user.UserId, roomId, default);

    private static async Task<List<string>> JoinedRoomsAsync(HttpClient c) =>
        (await (await c.GetAsync("/_matrix/client/v3/joined_rooms")).AssertOkAsync()).GetProperty("joined_rooms").EnumerateArray().Select(r => r.GetString()!).ToList();

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Forget_UnlessLeftOrBanned_IsRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var (invitedUser, invited) = await hs.RegisterClientAsync();
        using var stranger = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "private_chat" });
        await a.InviteAsync(roomId, invitedUser.UserId);

        await (await a.PostRoomAsync(roomId, "forget", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        await (await invited.PostRoomAsync(roomId, "forget", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        await (await stranger.PostRoomAsync(roomId, "forget", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        await (await stranger.PostRoomAsync("!nosuchroom:" + TestHomeserver.ServerName, "forget", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        await (await hs.Client.PostRoomAsync(roomId, "forget", new { })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        Assert.False(await IsForgottenAsync(hs, invitedUser, roomId));
        Assert.Contains(roomId, await JoinedRoomsAsync(a));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Forget_AfterLeaving_IsRecorded_AndJoinedRoomsAreUnchanged(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var kept = await a.CreateRoomAsync();
        var left = await a.CreateRoomAsync();
        await a.LeaveAsync(left);
        var joinedBefore = await JoinedRoomsAsync(a);
        Assert.Equal([kept], joinedBefore);

        // Sent with no body at all, as the spec defines none.
        await (await a.PostAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(left)}/forget", null)).AssertOkAsync();
        Assert.True(await IsForgottenAsync(hs, alice, left));
        Assert.False(await IsForgottenAsync(hs, alice, kept));
        Assert.Equal(joinedBefore, await JoinedRoomsAsync(a));
        // Forgetting twice is harmless.
        await (await a.PostRoomAsync(left, "forget", new { })).AssertOkAsync();
        Assert.True(await IsForgottenAsync(hs, alice, left));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Forget_AfterBan_IsAllowed_AndANewMembershipUnforgets(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        await (await a.PostRoomAsync(roomId, "ban", new { user_id = bob.UserId })).AssertOkAsync();

        await (await b.PostRoomAsync(roomId, "forget", new { })).AssertOkAsync();
        Assert.True(await IsForgottenAsync(hs, bob, roomId));

        // Unbanned and back in: the room is remembered again, and forgetting needs another leave.
        await (await a.PostRoomAsync(roomId, "unban", new { user_id = bob.UserId })).AssertOkAsync();
        Assert.False(await IsForgottenAsync(hs, bob, roomId));
        await b.JoinAsync(roomId);
        Assert.Contains(roomId, await JoinedRoomsAsync(b));
        await (await b.PostRoomAsync(roomId, "forget", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        Assert.False(await IsForgottenAsync(hs, bob, roomId));
    }
}
