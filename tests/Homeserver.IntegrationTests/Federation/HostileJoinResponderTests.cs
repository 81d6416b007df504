using System.Text.Json.Nodes;
using Homeserver.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// A resident server that shapes its make_join template to make the joining server sign something else than its
/// user's join. The joining server refuses the template: no send_join ever reaches the resident, and the user's
/// client gets an error rather than a room.
/// </summary>
public sealed class HostileJoinResponderTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    public static TheoryData<string, string> Shapes => new()
    {
        { "sqlite", "invite" },
        { "sqlite", "other user" },
        { "sqlite", "power in content" },
        { "postgres", "invite" },
    };

    /// <summary>The rewriting itself keeps answers usable: a template passed through untouched is joined through.</summary>
    [Fact]
    public async Task AnUntouchedTemplate_PassedThroughTheRewriter_IsJoinedThrough()
    {
        var sendJoins = 0;
        await using var a = await FederationTestServers.StartAsync("sqlite", _ca,
            configureBuilder: b => b.Services.AddSingleton<IStartupFilter>(new Reshaper("unchanged", () => Interlocked.Increment(ref sendJoins))));
        await using var b = await FederationTestServers.StartAsync("sqlite", _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });

        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null)).AssertOkAsync();
        Assert.Equal(1, Volatile.Read(ref sendJoins));
        Assert.Equal("join", await FederatedMembershipTests.MembershipAsync(aliceClient, roomId, bob.UserId));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task AShapedTemplate_IsNeverSignedNorSent(string engine, string shape)
    {
        var sendJoins = 0;
        await using var a = await FederationTestServers.StartAsync(engine, _ca,
            configureBuilder: b => b.Services.AddSingleton<IStartupFilter>(new Reshaper(shape, () => Interlocked.Increment(ref sendJoins))));
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });

        var response = await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null);

        Assert.False(response.IsSuccessStatusCode);
        Assert.Equal(0, Volatile.Read(ref sendJoins));
        Assert.Null(await FederatedMembershipTests.MembershipAsync(aliceClient, roomId, bob.UserId));
        Assert.Empty((await (await bobClient.GetAsync("/_matrix/client/v3/joined_rooms")).AssertOkAsync()).GetProperty("joined_rooms").EnumerateArray());
    }

    /// <summary>
    /// A send_join answer holding an event whose signature does not verify (its state key changed after signing): a
    /// state event nothing depends on is left out and the join goes through without it, as Synapse does; an event our
    /// join's authorisation needs fails the answer, and the room is not joined here (the resident took the join already).
    /// </summary>
    [Theory]
    [InlineData("m.room.topic", true)]
    [InlineData("m.room.join_rules", false)]
    public async Task AnEventWithABadSignature_InTheJoinAnswer_IsLeftOut(string tamperedType, bool joins)
    {
        await using var a = await FederationTestServers.StartAsync("sqlite", _ca,
            configureBuilder: b => b.Services.AddSingleton<IStartupFilter>(new SendJoinTamperer(tamperedType)));
        await using var b = await FederationTestServers.StartAsync("sqlite", _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat", topic = "the topic" });

        var response = await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null);

        Assert.Equal(joins, response.IsSuccessStatusCode);
        var joined = (await (await bobClient.GetAsync("/_matrix/client/v3/joined_rooms")).AssertOkAsync()).GetProperty("joined_rooms").EnumerateArray();
        Assert.Equal(joins, joined.Any(r => r.GetString() == roomId));
        if (joins)
        {
            var state = await (await bobClient.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state")).AssertOkAsync();
            Assert.DoesNotContain(state.EnumerateArray(), e => e.GetProperty("type").GetString() == "m.room.topic");
            Assert.Contains(state.EnumerateArray(), e => e.GetProperty("type").GetString() == "m.room.join_rules");
        }
    }

    /// <summary>Lets the server answer, then sends its JSON answer as <paramref name="rewrite"/> changed it.</summary>
    private static async Task RewriteAnswerAsync(HttpContext ctx, RequestDelegate next, Action<JsonObject> rewrite)
    {
        var original = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        await next(ctx);
        ctx.Response.Body = original;
        var answer = JsonNode.Parse(buffer.ToArray())!.AsObject();
        rewrite(answer);
        ctx.Response.ContentLength = null;
        await ctx.Response.WriteAsync(answer.ToJsonString());
    }

    /// <summary>Breaks the signature of every event of one type in the server's own send_join answers.</summary>
    private sealed class SendJoinTamperer(string type) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                if (!(ctx.Request.Path.Value ?? "").StartsWith("/_matrix/federation/v2/send_join/", StringComparison.Ordinal))
                {
                    await nextMiddleware(ctx);
                    return;
                }
                await RewriteAnswerAsync(ctx, nextMiddleware, answer =>
                {
                    foreach (var list in new[] { "state", "auth_chain" })
                        foreach (var ev in (answer[list] as JsonArray ?? []).OfType<JsonObject>())
                            if (ev["type"]?.GetValue<string>() == type)
                                ev["state_key"] = "something";
                });
            });
            next(app);
        };
    }

    /// <summary>Rewrites the server's own make_join answers, and counts the send_joins that reach it.</summary>
    private sealed class Reshaper(string shape, Action onSendJoin) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                var path = ctx.Request.Path.Value ?? "";
                if (path.StartsWith("/_matrix/federation/v2/send_join/", StringComparison.Ordinal))
                    onSendJoin();
                if (!path.StartsWith("/_matrix/federation/v1/make_join/", StringComparison.Ordinal))
                {
                    await nextMiddleware(ctx);
                    return;
                }
                await RewriteAnswerAsync(ctx, nextMiddleware, answer =>
                {
                    if (answer["event"] is JsonObject ev)
                        Reshape(ev);
                });
            });
            next(app);
        };

        private void Reshape(JsonObject ev)
        {
            switch (shape)
            {
                case "invite":
                    ev["content"]!["membership"] = "invite";
                    break;
                case "other user":
                    ev["state_key"] = "@victim:" + ev["sender"]!.GetValue<string>().Split(':', 2)[1];
                    break;
                case "power in content":
                    ev["content"]!["third_party_invite"] = new JsonObject { ["signed"] = new JsonObject() };
                    break;
            }
        }
    }

    public void Dispose() => _ca.Dispose();
}
