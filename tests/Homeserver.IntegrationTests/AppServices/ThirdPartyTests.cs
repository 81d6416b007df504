using System.Net;
using Homeserver.Testing;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// <c>/thirdparty/*</c> answered from the bridge that declares the protocols (a loopback double): its metadata with
/// each instance's <c>instance_id</c>, lookups with the client's fields passed through and malformed results dropped,
/// and a protocol the bridge cannot describe left out.
/// </summary>
public sealed class ThirdPartyTests
{
    private static Task<LoopbackBridge> StartAsync(string engine) => LoopbackBridge.StartAsync(engine, "tp-as-token-0123456789abcdef", "tp-hs-token-0123456789abcdef", """
        id: ircbridge
        sender_localpart: ircbot
        protocols: [irc, slack]
        namespaces:
          users:
            - exclusive: true
              regex: '@_irc_.*'
        """);

    private static void PlayTheBridge(LoopbackBridge b, List<string> asked) => b.Double.Respond = async ctx =>
    {
        var request = ctx.Request.Path.Value + ctx.Request.QueryString.Value;
        lock (asked)
            asked.Add(request);
        var (status, body) = ctx.Request.Path.Value switch
        {
            "/_matrix/app/v1/thirdparty/protocol/irc" => (200, """
                {"user_fields":["network","nickname"],"location_fields":["network","channel"],"icon":"mxc://example.org/irc",
                 "field_types":{},"instances":[{"desc":"Libera","network_id":"libera","fields":{"network":"libera"}}]}
                """),
            "/_matrix/app/v1/thirdparty/location/irc" => (200, """
                [{"alias":"#_irc_libera_matrix:test.local","protocol":"irc","fields":{"network":"libera","channel":"#matrix"}},{"alias":7}]
                """),
            "/_matrix/app/v1/thirdparty/user" => (200, """[{"userid":"@_irc_alice:test.local","protocol":"irc","fields":{"nickname":"alice"}}]"""),
            _ => (500, "{}"),
        };
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body);
    };

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ProtocolsAndLookups_ComeFromTheBridge(string engine)
    {
        await using var b = await StartAsync(engine);
        var asked = new List<string>();
        PlayTheBridge(b, asked);
        var (_, c) = await b.Hs.RegisterClientAsync();

        var protocols = await (await c.GetAsync("/_matrix/client/v3/thirdparty/protocols")).AssertOkAsync();
        Assert.Equal(["irc"], protocols.EnumerateObject().Select(p => p.Name));
        var instance = protocols.GetProperty("irc").GetProperty("instances")[0];
        Assert.Equal("ircbridge|libera", instance.GetProperty("instance_id").GetString());
        Assert.Equal("mxc://example.org/irc", protocols.GetProperty("irc").GetProperty("icon").GetString());

        var irc = await (await c.GetAsync("/_matrix/client/v3/thirdparty/protocol/irc")).AssertOkAsync();
        Assert.Equal(["network", "channel"], irc.GetProperty("location_fields").EnumerateArray().Select(f => f.GetString()));
        await (await c.GetAsync("/_matrix/client/v3/thirdparty/protocol/slack")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await c.GetAsync("/_matrix/client/v3/thirdparty/protocol/xmpp")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        var locations = await (await c.GetAsync("/_matrix/client/v3/thirdparty/location/irc?network=libera&channel=%23matrix")).AssertOkAsync();
        Assert.Equal(["#_irc_libera_matrix:test.local"], locations.EnumerateArray().Select(l => l.GetProperty("alias").GetString()));
        lock (asked)
            Assert.Contains("/_matrix/app/v1/thirdparty/location/irc?network=libera&channel=%23matrix", asked);

        var users = await (await c.GetAsync("/_matrix/client/v3/thirdparty/user?userid=%40_irc_alice%3Atest.local")).AssertOkAsync();
        Assert.Equal("alice", users[0].GetProperty("fields").GetProperty("nickname").GetString());
        Assert.Empty((await (await c.GetAsync("/_matrix/client/v3/thirdparty/user/xmpp?nickname=bob")).AssertOkAsync()).EnumerateArray());
        lock (asked)
            Assert.DoesNotContain(asked, a => a.Contains("xmpp", StringComparison.Ordinal));

        await (await b.Hs.Client.GetAsync("/_matrix/client/v3/thirdparty/protocols")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AProtocolsDescription_IsReused_ButAFailureIsAskedAgain(string engine)
    {
        await using var b = await StartAsync(engine);
        var asked = new List<string>();
        PlayTheBridge(b, asked);
        var (_, c) = await b.Hs.RegisterClientAsync();
        await (await c.GetAsync("/_matrix/client/v3/thirdparty/protocols")).AssertOkAsync();

        // The bridge now fails every request: the description it gave is still served, as Synapse caches it.
        b.Double.Respond = async ctx =>
        {
            lock (asked)
                asked.Add(ctx.Request.Path.Value!);
            ctx.Response.StatusCode = 500;
            await ctx.Response.WriteAsync("{}");
        };
        var irc = await (await c.GetAsync("/_matrix/client/v3/thirdparty/protocol/irc")).AssertOkAsync();
        Assert.Equal("ircbridge|libera", irc.GetProperty("instances")[0].GetProperty("instance_id").GetString());
        await (await c.GetAsync("/_matrix/client/v3/thirdparty/protocol/slack")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        lock (asked)
        {
            Assert.Single(asked, a => a == "/_matrix/app/v1/thirdparty/protocol/irc");
            Assert.Equal(2, asked.Count(a => a == "/_matrix/app/v1/thirdparty/protocol/slack"));
        }
    }
}
