using System.Net;
using System.Net.Http.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>Servers with the message limit on and tight (3 at once, then one a hundred seconds), the rest loose.</summary>
public sealed class RateLimitedServersFixture : HomeserverFixture
{
    protected override void Configure(HomeserverOptions options)
    {
        var loose = new RateLimitOptions { PerSecond = 100, BurstCount = 100 };
        options.RateLimits = new RateLimitsOptions
        {
            Enabled = true,
            Message = new RateLimitOptions { PerSecond = 0.01, BurstCount = 3 },
            Registration = loose, Login = loose, LoginFailedAttempts = loose, RoomCreation = loose, Joins = loose, Invites = loose,
        };
    }
}

/// <summary>Shadow bans and suspensions seen by the user and by others, through the client API.</summary>
public sealed class AdminRestrictionTests(AdminServersFixture fixture) : IClassFixture<AdminServersFixture>
{
    private static string ShadowBan(string userId) => $"/_synapse/admin/v1/users/{Uri.EscapeDataString(userId)}/shadow_ban";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ShadowBannedUser_SeemsToSend_ButNothingArrives(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (_, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (carol, _) = await hs.RegisterClientAsync();
        await (await admin.PostAsJsonAsync(ShadowBan(bob.UserId), new { })).AssertOkAsync();
        Assert.True((await (await admin.GetAsync("/_synapse/admin/v2/users/" + Uri.EscapeDataString(bob.UserId))).AssertOkAsync()).GetProperty("shadow_banned").GetBoolean());

        var fake = await b.SendTextAsync(roomId, "spam nobody sees");
        Assert.StartsWith("$", fake);
        await (await b.PostRoomAsync(roomId, "invite", new { user_id = carol.UserId })).AssertOkAsync();
        var otherRoom = await b.CreateRoomAsync(new { invite = new[] { carol.UserId } });

        await a.SendTextAsync(roomId, "after the spam");
        var seen = (await a.MessagesAsync(roomId)).Bodies().ToList();
        Assert.Contains("after the spam", seen);
        Assert.DoesNotContain("spam nobody sees", seen);
        await (await a.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(fake))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.GetRoomAsync(roomId, "state/m.room.member/" + Uri.EscapeDataString(carol.UserId))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        var carolsRooms = (await (await admin.GetAsync($"/_synapse/admin/v1/users/{Uri.EscapeDataString(carol.UserId)}/memberships")).AssertOkAsync()).GetProperty("memberships");
        Assert.False(carolsRooms.TryGetProperty(otherRoom, out _));
        Assert.False(carolsRooms.TryGetProperty(roomId, out _));

        // Lifted, the user's messages arrive again.
        await (await admin.DeleteAsync(ShadowBan(bob.UserId))).AssertOkAsync();
        await b.SendTextAsync(roomId, "heard again");
        Assert.Contains("heard again", (await a.MessagesAsync(roomId)).Bodies());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SuspendedUser_MayLeaveButNotSendJoinCreateOrChangeTheirProfile(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (_, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var otherRoom = await a.CreateRoomAsync(new { preset = "public_chat" });
        var path = "/_synapse/admin/v1/suspend/" + Uri.EscapeDataString(bob.UserId);

        var res = await (await admin.PutAsJsonAsync(path, new { suspend = true })).AssertOkAsync();
        Assert.True(res.GetProperty($"user_{bob.UserId}_suspended").GetBoolean());
        Assert.True((await (await admin.GetAsync("/_synapse/admin/v2/users/" + Uri.EscapeDataString(bob.UserId))).AssertOkAsync()).GetProperty("suspended").GetBoolean());

        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t1", new { msgtype = "m.text", body = "x" }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_USER_SUSPENDED");
        await (await b.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_USER_SUSPENDED");
        await (await b.PostAsJsonAsync($"/_matrix/client/v3/join/{otherRoom}", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_USER_SUSPENDED");
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(bob.UserId)}/displayname", new { displayname = "nope" }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_USER_SUSPENDED");

        await (await admin.PutAsJsonAsync(path, new { suspend = false })).AssertOkAsync();
        await b.SendTextAsync(roomId, "back");
        Assert.Contains("back", (await a.MessagesAsync(roomId)).Bodies());

        await (await admin.PutAsJsonAsync(path, new { suspend = true })).AssertOkAsync();
        await b.LeaveAsync(roomId);
        await (await admin.PutAsJsonAsync(path, new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
    }
}

/// <summary><c>override_ratelimit</c> against the real rate limiter.</summary>
public sealed class AdminRateLimitOverrideTests(RateLimitedServersFixture fixture) : IClassFixture<RateLimitedServersFixture>
{
    private static string Override(string userId) => $"/_synapse/admin/v1/users/{Uri.EscapeDataString(userId)}/override_ratelimit";

    private static async Task<HttpStatusCode> SendAsync(HttpClient c, string roomId) =>
        (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/{Guid.NewGuid():N}", new { msgtype = "m.text", body = "hi" })).StatusCode;

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OverrideOfZero_LiftsTheMessageLimit_AndDeletingItRestoresIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await b.CreateRoomAsync();

        Assert.Empty((await (await admin.GetAsync(Override(bob.UserId))).AssertOkAsync()).EnumerateObject());
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add(await SendAsync(b, roomId));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        var set = await (await admin.PostAsJsonAsync(Override(bob.UserId), new { messages_per_second = 0, burst_count = 0 })).AssertOkAsync();
        Assert.Equal(0, set.GetProperty("messages_per_second").GetInt32());
        Assert.Equal(0, (await (await admin.GetAsync(Override(bob.UserId))).AssertOkAsync()).GetProperty("burst_count").GetInt32());
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, await SendAsync(b, roomId));

        // An override with a rate is a bucket of the user's own size.
        await (await admin.PostAsJsonAsync(Override(bob.UserId), new { messages_per_second = 1, burst_count = 6 })).AssertOkAsync();
        statuses.Clear();
        for (var i = 0; i < 8; i++)
            statuses.Add(await SendAsync(b, roomId));
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 6, string.Join(",", statuses));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        await (await admin.DeleteAsync(Override(bob.UserId))).AssertOkAsync();
        Assert.Empty((await (await admin.GetAsync(Override(bob.UserId))).AssertOkAsync()).EnumerateObject());
        Assert.Equal(HttpStatusCode.TooManyRequests, await SendAsync(b, roomId));

        await (await admin.PostAsJsonAsync(Override(bob.UserId), new { messages_per_second = -1 })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync(Override("@x:elsewhere.example"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }
}
