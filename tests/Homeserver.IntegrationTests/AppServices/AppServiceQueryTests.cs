using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// The server asking a bridge about a user or alias of its namespaces that does not exist yet (spec "Querying"): the
/// bridge (a loopback double) creates it on the spot through the client API and answers 200, and the client's request
/// goes on as if it had always existed; when the bridge answers 404 the client gets the usual 404.
/// </summary>
public sealed class AppServiceQueryTests
{
    private const string AsToken = "q-as-token-0123456789abcdef";
    private const string HsToken = "q-hs-token-0123456789abcdef";

    private static Task<LoopbackBridge> StartAsync(string engine) => LoopbackBridge.StartAsync(engine, AsToken, HsToken, """
        id: qbridge
        sender_localpart: qbot
        namespaces:
          users:
            - exclusive: true
              regex: '@_q_.*'
          aliases:
            - exclusive: false
              regex: '#_q_.*'
        """);

    /// <summary>The bridge: creates users named <c>@_q_made…</c> and portal rooms for aliases <c>#_q_made…</c>; knows nothing else.</summary>
    private static void PlayTheBridge(LoopbackBridge b, List<string> asked)
    {
        b.Double.Respond = async ctx =>
        {
            var path = Uri.UnescapeDataString(ctx.Request.Path.Value!);
            lock (asked)
                asked.Add($"{path} {ctx.Request.Headers.Authorization}");
            var known = path.StartsWith("/_matrix/app/v1/transactions/", StringComparison.Ordinal);
            if (path.StartsWith("/_matrix/app/v1/users/@_q_made", StringComparison.Ordinal))
            {
                var localpart = path["/_matrix/app/v1/users/@".Length..].Split(':')[0];
                await (await b.AsClient.PostAsJsonAsync("/_matrix/client/v3/register",
                    new { type = "m.login.application_service", username = localpart, inhibit_login = true })).AssertOkAsync();
                known = true;
            }
            else if (path.StartsWith("/_matrix/app/v1/rooms/#_q_made", StringComparison.Ordinal))
            {
                var name = path["/_matrix/app/v1/rooms/#".Length..].Split(':')[0];
                await b.AsClient.CreateRoomAsync(new { preset = "public_chat", room_alias_name = name });
                known = true;
            }
            ctx.Response.StatusCode = known ? 200 : 404;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(known ? "{}" : """{"errcode":"M_NOT_FOUND"}""");
        };
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AUserOfItsNamespace_IsCreatedByTheBridgeWhenLookedUp_ByProfile_Invite_OrCreateRoom(string engine)
    {
        await using var b = await StartAsync(engine);
        var asked = new List<string>();
        PlayTheBridge(b, asked);
        var (_, c) = await b.Hs.RegisterClientAsync();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var server = TestHomeserver.ServerName;

        await (await c.GetAsync($"/_matrix/client/v3/profile/@_q_made1{suffix}:{server}")).AssertOkAsync();
        Assert.Contains($"/_matrix/app/v1/users/@_q_made1{suffix}:{server} Bearer {HsToken}", asked);

        var roomId = await c.CreateRoomAsync(new { preset = "private_chat" });
        await c.InviteAsync(roomId, $"@_q_made2{suffix}:{server}");
        var members = await (await c.GetRoomAsync(roomId, "members")).AssertOkAsync();
        Assert.Contains(members.GetProperty("chunk").EnumerateArray(),
            m => m.GetProperty("state_key").GetString() == $"@_q_made2{suffix}:{server}" && m.GetProperty("content").GetProperty("membership").GetString() == "invite");

        await c.CreateRoomAsync(new { invite = new[] { $"@_q_made3{suffix}:{server}" } });

        await (await c.GetAsync($"/_matrix/client/v3/profile/@_q_nobody{suffix}:{server}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await c.GetAsync($"/_matrix/client/v3/profile/@outsider{suffix}:{server}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        lock (asked)
        {
            Assert.Contains(asked, a => a.StartsWith($"/_matrix/app/v1/users/@_q_made3{suffix}", StringComparison.Ordinal));
            Assert.Contains(asked, a => a.StartsWith($"/_matrix/app/v1/users/@_q_nobody{suffix}", StringComparison.Ordinal));
            Assert.DoesNotContain(asked, a => a.Contains("outsider", StringComparison.Ordinal));
        }
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnAliasOfItsNamespace_IsCreatedByTheBridgeWhenResolved_AndCanBeJoined(string engine)
    {
        await using var b = await StartAsync(engine);
        var asked = new List<string>();
        PlayTheBridge(b, asked);
        var (_, c) = await b.Hs.RegisterClientAsync();
        var alias = $"#_q_made{Guid.NewGuid().ToString("N")[..6]}:{TestHomeserver.ServerName}";

        var resolved = await (await c.GetAsync($"/_matrix/client/v3/directory/room/{Uri.EscapeDataString(alias)}")).AssertOkAsync();
        var roomId = resolved.GetProperty("room_id").GetString()!;
        Assert.StartsWith("!", roomId);
        Assert.Contains($"/_matrix/app/v1/rooms/{alias} Bearer {HsToken}", asked);

        var other = $"#_q_made{Guid.NewGuid().ToString("N")[..6]}:{TestHomeserver.ServerName}";
        var joined = await (await c.PostAsJsonAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(other)}", new { })).AssertOkAsync();
        Assert.StartsWith("!", joined.GetProperty("room_id").GetString());

        await (await c.GetAsync($"/_matrix/client/v3/directory/room/{Uri.EscapeDataString($"#_q_unknown:{TestHomeserver.ServerName}")}"))
            .AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await c.GetAsync($"/_matrix/client/v3/directory/room/{Uri.EscapeDataString($"#elsewhere:{TestHomeserver.ServerName}")}"))
            .AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        lock (asked)
            Assert.DoesNotContain(asked, a => a.Contains("#elsewhere", StringComparison.Ordinal));
    }
}
