using System.Net;
using System.Net.Http.Json;
using System.Text;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 12: a lone surrogate in a JSON object key answered 500 (with a stack trace logged) on every
/// JSON endpoint, the unauthenticated /login and /refresh included; sending <c>m.room.create</c> into an existing
/// v12 room answered 500; and /refresh had no rate limit.
/// </summary>
public sealed class MalformedKeysAndCreateEventTests
{
    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("/_matrix/client/v3/login")]
    [InlineData("/_matrix/client/v3/refresh")]
    [InlineData("/_matrix/client/v3/register")]
    public async Task LoneSurrogateInKey_IsNotJson_AndLogsNoError(string path)
    {
        var logs = new CapturingLoggerProvider();
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        await using var hs = await TestHomeserver.StartAsync(options, b => b.Services.AddSingleton<ILoggerProvider>(logs));

        foreach (var body in new[] { "{\"\\ud800\":1}", "{\"a\":{\"\\udfff\":\"x\"}}", "{\"\\ud800\":1,\"\\ud800\":2}", "{\"\\ud800x\":1,\"\\udc00x\":2}" })
        {
            var res = await hs.Client.PostAsync(path, Json(body));
            await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_NOT_JSON");
        }
        Assert.DoesNotContain(logs.Lines, l => l.Contains("Unhandled error"));
    }

    [Fact]
    public async Task LoneSurrogateInKey_OnAnAuthenticatedEndpoint_IsNotJson()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        var (_, c) = await hs.RegisterClientAsync();
        var roomId = await c.CreateRoomAsync();
        var res = await c.PutAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/t1",
            Json("{\"msgtype\":\"m.text\",\"body\":\"hi\",\"\\ud83d\":true}"));
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_NOT_JSON");
    }

    [Theory]
    [InlineData("12")]
    [InlineData("11")]
    public async Task SendingCreateEventIntoExistingRoom_IsForbidden(string version)
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        var (_, c) = await hs.RegisterClientAsync();
        var roomId = await c.CreateRoomAsync(new { room_version = version });
        var room = Uri.EscapeDataString(roomId);

        var state = await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/state/m.room.create/", new { room_version = version });
        await state.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var send = await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{room}/send/m.room.create/t1", new { room_version = version });
        await send.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // The room still works afterwards.
        await c.SendTextAsync(roomId, "still here");
    }

    [Fact]
    public async Task Refresh_IsRateLimitedPerAddress()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.RateLimits = new RateLimitsOptions
        {
            Refresh = new RateLimitOptions { PerSecond = 0.01, BurstCount = 3 },
        });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await hs.Client.PostAsJsonAsync("/_matrix/client/v3/refresh", new { refresh_token = "not-a-token-" + i })).StatusCode);
        Assert.All(statuses.Take(3), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }
}
