using System.Text.Json.Nodes;
using Federation.Auth;
using Federation.Query;
using Homeserver.Core.Configuration;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Federation;

public static class FederationEndpoints
{
    /// <summary>How long other servers may cache our key response before asking again.</summary>
    private static readonly TimeSpan KeyValidity = TimeSpan.FromDays(1);

    public static IEndpointRouteBuilder MapFederation(this IEndpointRouteBuilder app)
    {
        // GET /_matrix/federation/v1/version
        app.MapGet("/_matrix/federation/v1/version", () => Results.Ok(new
        {
            server = new { name = "Homeserver", version = typeof(FederationEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" },
        }));

        // GET /_matrix/key/v2/server — our signing key, self-signed as the spec's "Publishing Keys" requires.
        app.MapGet("/_matrix/key/v2/server", (ServerIdentity server, SigningKey key, TimeProvider time) =>
        {
            var body = new JsonObject
            {
                ["server_name"] = server.ServerName,
                ["valid_until_ts"] = (time.GetUtcNow() + KeyValidity).ToUnixTimeMilliseconds(),
                ["verify_keys"] = new JsonObject { [key.KeyId] = new JsonObject { ["key"] = key.PublicKeyBase64 } },
                ["old_verify_keys"] = new JsonObject(),
            };
            JsonSigning.SignJson(body, server.ServerName, key);
            return Results.Text(CanonicalJson.EncodeToString(body), "application/json");
        });

        if (!app.ServiceProvider.GetRequiredService<FederationOptions>().Enabled)
            return app;
        var v1 = app.MapGroup("/_matrix/federation/v1").AddEndpointFilter<XMatrixAuthenticationFilter>();
        ProfileQueryEndpoints.Map(v1);
        return app;
    }
}
