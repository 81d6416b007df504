using System.Text.Json;
using ClientApi.Auth;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>Synapse's shared-secret registration, which deployment scripts use to create the first admin.</summary>
public static class SharedSecretRegisterEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // GET /_synapse/admin/v1/register
        app.MapGet("/_synapse/admin/v1/register", async (SharedSecretRegistration reg, CancellationToken ct) => Results.Ok(new { nonce = await reg.NewNonceAsync(ct) }))
            .RequireRateLimiting(RateLimitPolicies.Registration);

        // POST /_synapse/admin/v1/register
        app.MapPost("/_synapse/admin/v1/register", async (HttpContext ctx, SharedSecretRegistration reg, AccountService accounts, ServerIdentity server, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            string Field(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw MatrixException.MissingParam($"Missing '{name}'");
            var admin = body.TryGetProperty("admin", out var a) && a.ValueKind == JsonValueKind.True;
            var userType = body.TryGetProperty("user_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var username = Field("username");
            var password = Field("password");
            await reg.VerifyAsync(Field("nonce"), username, password, admin, userType, Field("mac"), ct);
            var localpart = username.ToLowerInvariant();
            accounts.ValidatePassword(password);
            var (_, session) = await accounts.CreateAsync(localpart, password, admin,
                new SessionRequest(null, null, false, ctx.GetClientInfo()), ct);
            return Results.Ok(SessionResponse.For(session!, server.ServerName, null));
        }).RequireRateLimiting(RateLimitPolicies.Registration);
    }
}
