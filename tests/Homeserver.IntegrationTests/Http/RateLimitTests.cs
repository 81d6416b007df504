using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Http;

/// <summary>Rate limits at Synapse's defaults (checklist rows 13, 14, 59); registration's are in Security/RegistrationRateLimitTests.</summary>
public sealed class RateLimitTests
{
    private static Task<TestHomeserver> StartLimitedAsync() =>
        TestHomeserver.StartAsync("sqlite", o => o.RateLimits = new Homeserver.Core.Configuration.RateLimitsOptions());

    [Fact]
    public async Task Login_FailedAttemptsOnOneAccount_AreLimitedWhateverTheAddress()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o =>
        {
            o.RateLimits = new Homeserver.Core.Configuration.RateLimitsOptions();
            // Address-based login limiting out of the way, so only the per-account counter can trip.
            o.RateLimits.Login = new() { PerSecond = 100, BurstCount = 100 };
            o.RateLimits.Registration = new() { PerSecond = 100, BurstCount = 100 };
        });
        var user = await hs.RegisterAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
            {
                type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = "wrong guess " + i,
            });
            statuses.Add(res.StatusCode);
        }
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], statuses.Take(3));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // Another account is not affected.
        var other = await hs.RegisterAsync();
        await hs.LoginAsync(other);
    }

    [Fact]
    public async Task Send_PastMessageBurst_Is429PerAccount()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o =>
        {
            o.RateLimits = new Homeserver.Core.Configuration.RateLimitsOptions();
            o.RateLimits.Registration = new() { PerSecond = 100, BurstCount = 100 };
        });
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = (await (await a.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { })).AssertOkAsync()).GetProperty("room_id").GetString();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
            codes.Add((await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t{i}", new { body = "x" })).StatusCode);
        Assert.All(codes.Take(10), c => Assert.Equal(HttpStatusCode.OK, c));
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[11]);
        // Another account has its own bucket.
        var (_, b) = await hs.RegisterClientAsync();
        var own = (await (await b.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { })).AssertOkAsync()).GetProperty("room_id").GetString();
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{own}/send/m.room.message/t0", new { body = "x" })).AssertOkAsync();
    }

    [Fact]
    public async Task Login_PerAddress_IsLimitedAfterBurst()
    {
        await using var hs = await StartLimitedAsync();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
            codes.Add((await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", user = "u" + i, password = "x" })).StatusCode);
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, codes.Take(5));
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[6]);
    }

    /// <summary>Synapse's per-account limits on rooms, joins, invites, reports and presence: the burst passes, the next request is 429.</summary>
    [Fact]
    public async Task RoomCreationJoinsInvitesReportsAndPresence_AreLimitedPerAccountAfterTheirBurst()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o =>
        {
            o.RateLimits = new Homeserver.Core.Configuration.RateLimitsOptions();
            o.RateLimits.Registration = new() { PerSecond = 100, BurstCount = 100 };
        });
        var (alice, a) = await hs.RegisterClientAsync();
        var created = new List<HttpResponseMessage>();
        for (var i = 0; i < 11; i++)
            created.Add(await a.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { preset = "public_chat" }));
        Assert.All(created.Take(10), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await created[10].AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        Assert.True(created[10].Headers.Contains("Retry-After"));
        var rooms = new List<string>();
        foreach (var r in created.Take(10))
            rooms.Add((await r.AssertOkAsync()).GetProperty("room_id").GetString()!);

        var (bob, b) = await hs.RegisterClientAsync();
        var joins = new List<HttpStatusCode>();
        foreach (var roomId in rooms)
            joins.Add((await b.PostAsJsonAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}", new { })).StatusCode);
        Assert.All(joins, c => Assert.Equal(HttpStatusCode.OK, c));
        await (await b.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(rooms[0])}/leave", new { })).AssertOkAsync();
        await (await b.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(rooms[0])}/join", new { }))
            .AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");

        var invites = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            var invitee = await hs.RegisterAsync();
            invites.Add((await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(rooms[1])}/invite", new { user_id = invitee.UserId })).StatusCode);
        }
        Assert.All(invites.Take(10), c => Assert.Equal(HttpStatusCode.OK, c));
        Assert.Equal(HttpStatusCode.TooManyRequests, invites[10]);
        // Kicking is not an invite: the invite bucket does not hold it back.
        await (await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(rooms[1])}/kick", new { user_id = bob.UserId })).AssertOkAsync();

        var reports = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
            reports.Add((await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(rooms[2])}/report", new { reason = "r" + i })).StatusCode);
        Assert.All(reports.Take(5), c => Assert.Equal(HttpStatusCode.OK, c));
        Assert.Equal(HttpStatusCode.TooManyRequests, reports[5]);

        var presencePath = $"/_matrix/client/v3/presence/{Uri.EscapeDataString(alice.UserId)}/status";
        await (await a.PutAsJsonAsync(presencePath, new { presence = "online" })).AssertOkAsync();
        await (await a.PutAsJsonAsync(presencePath, new { presence = "unavailable" })).AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
    }
}
