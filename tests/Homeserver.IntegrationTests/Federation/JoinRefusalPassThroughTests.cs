using System.Net;
using System.Text.Json.Nodes;
using Homeserver.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// A resident server that refuses make_join with a Matrix error of its own: the joining user's client gets that very
/// error (status, errcode and extra fields such as <c>room_version</c>), as Synapse passes it on.
/// </summary>
public sealed class JoinRefusalPassThroughTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AResidentsMakeJoinRefusal_ReachesTheClientAsItCame(string engine)
    {
        var refusal = new JsonObject { ["errcode"] = "M_INCOMPATIBLE_ROOM_VERSION", ["error"] = "y u no upgrade", ["room_version"] = "future-version" };
        await using var a = await FederationTestServers.StartAsync(engine, _ca,
            configureBuilder: b => b.Services.AddSingleton<IStartupFilter>(new MakeJoinRefuser(refusal)));
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (_, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });

        var response = await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null);

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "M_INCOMPATIBLE_ROOM_VERSION");
        Assert.Equal("y u no upgrade", body.GetProperty("error").GetString());
        Assert.Equal("future-version", body.GetProperty("room_version").GetString());
    }

    /// <summary>Answers every make_join with <paramref name="refusal"/> as a 400.</summary>
    private sealed class MakeJoinRefuser(JsonObject refusal) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                if (!(ctx.Request.Path.Value ?? "").StartsWith("/_matrix/federation/v1/make_join/", StringComparison.Ordinal))
                {
                    await nextMiddleware(ctx);
                    return;
                }
                ctx.Response.StatusCode = 400;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(refusal.ToJsonString());
            });
            next(app);
        };
    }

    public void Dispose() => _ca.Dispose();
}
