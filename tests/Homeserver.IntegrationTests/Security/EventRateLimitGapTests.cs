using System.Net;
using System.Net.Http.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 9: state events skipped the message rate limit (40 topic changes passed while <c>/send</c>
/// answered 429) and typing had no limit at all. State events, kicks, bans and unbans now share the per-account
/// message bucket with <c>/send</c> and <c>/redact</c>; typing has a bucket of its own.
/// </summary>
public sealed class EventRateLimitGapTests
{
    private static Task<TestHomeserver> StartAsync() => TestHomeserver.StartAsync("sqlite", o =>
    {
        o.RateLimits = new RateLimitsOptions();
        o.RateLimits.Registration = new() { PerSecond = 100, BurstCount = 100 };
        o.RateLimits.Message = new() { PerSecond = 0.01, BurstCount = 3 };
        o.RateLimits.Typing = new() { PerSecond = 0.01, BurstCount = 4 };
    });

    private static async Task<string> CreateRoomAsync(HttpClient c) =>
        Uri.EscapeDataString((await (await c.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { preset = "public_chat" })).AssertOkAsync()).GetProperty("room_id").GetString()!);

    [Fact]
    public async Task StateEvents_ShareTheMessageBucket()
    {
        await using var hs = await StartAsync();
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var room = await CreateRoomAsync(a);
        for (var i = 0; i < 3; i++)
            await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/state/m.room.topic/", new { topic = "t" + i })).AssertOkAsync();
        var limited = await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/state/m.room.topic/", new { topic = "one too many" });
        await limited.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        Assert.True(limited.Headers.Contains("Retry-After"));
        // The same bucket as /send.
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/send/m.room.message/t1", new { msgtype = "m.text", body = "x" }))
            .AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task MessagesThenState_StateIsRefusedOnceSendIs()
    {
        await using var hs = await StartAsync();
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var room = await CreateRoomAsync(a);
        for (var i = 0; i < 3; i++)
            await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/send/m.room.message/t{i}", new { msgtype = "m.text", body = "x" })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/state/m.room.name/", new { name = "n" }))
            .AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task KicksAndBans_ShareTheMessageBucket()
    {
        await using var hs = await StartAsync();
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var room = await CreateRoomAsync(a);
        var targets = new List<TestUser>();
        for (var i = 0; i < 4; i++)
            targets.Add(await hs.RegisterAsync());
        var codes = new List<HttpStatusCode>();
        foreach (var t in targets)
            codes.Add((await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{room}/ban", new { user_id = t.UserId })).StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
    }

    [Fact]
    public async Task Typing_PastItsBurst_Is429_PerAccount()
    {
        await using var hs = await StartAsync();
        var (alice, a) = await hs.RegisterClientAsync();
        var room = await CreateRoomAsync(a);
        var path = $"/_matrix/client/v3/rooms/{room}/typing/{Uri.EscapeDataString(alice.UserId)}";
        for (var i = 0; i < 4; i++)
            await (await a.PutAsJsonAsync(path, new { typing = i % 2 == 0, timeout = 30000 })).AssertOkAsync();
        var limited = await a.PutAsJsonAsync(path, new { typing = true, timeout = 30000 });
        await limited.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        Assert.True(limited.Headers.Contains("Retry-After"));
        // Typing has its own bucket: a message still goes through.
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/send/m.room.message/t0", new { msgtype = "m.text", body = "x" })).AssertOkAsync();

        var (bob, b) = await hs.RegisterClientAsync();
        await (await b.PostAsJsonAsync($"/_matrix/client/v3/join/{room}", new { })).AssertOkAsync();
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/typing/{Uri.EscapeDataString(bob.UserId)}", new { typing = true, timeout = 30000 })).AssertOkAsync();
    }
}
