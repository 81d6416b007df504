using Homeserver.Core.Accounts;
using Homeserver.Http.Admin;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>Synapse's admin API for registration tokens kept in the database (the config's are not listed: they never run out).</summary>
public static class RegistrationTokenEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        // GET /_synapse/admin/v1/registration_tokens[?valid=true|false]
        admin.MapGet("/v1/registration_tokens", async (HttpContext ctx, RegistrationTokenService tokens, CancellationToken ct) =>
            Results.Ok(new { registration_tokens = (await tokens.ListAsync(AdminQuery.Bool(ctx, "valid"), ct)).Select(Describe) }));

        // POST /_synapse/admin/v1/registration_tokens/new
        admin.MapPost("/v1/registration_tokens/new", async (HttpContext ctx, RegistrationTokenService tokens, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var token = AdminBody.String(body, "token");
            var created = await tokens.CreateAsync(token.IsSet ? token.Value : null, AdminBody.NullableLong(body, "length").Value,
                AdminBody.NullableLong(body, "uses_allowed").Value, AdminBody.NullableLong(body, "expiry_time").Value, ct);
            return Results.Ok(Describe(created));
        });

        // GET /_synapse/admin/v1/registration_tokens/{token}
        admin.MapGet("/v1/registration_tokens/{token}", async (string token, RegistrationTokenService tokens, CancellationToken ct) =>
            Results.Ok(Describe(await tokens.GetAsync(token, ct))));

        // PUT /_synapse/admin/v1/registration_tokens/{token}: what the body leaves out stays; null is unlimited or never.
        admin.MapPut("/v1/registration_tokens/{token}", async (string token, HttpContext ctx, RegistrationTokenService tokens, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var updated = await tokens.UpdateAsync(token, AdminBody.NullableLong(body, "uses_allowed"), AdminBody.NullableLong(body, "expiry_time"), ct);
            return Results.Ok(Describe(updated));
        });

        // DELETE /_synapse/admin/v1/registration_tokens/{token}
        admin.MapDelete("/v1/registration_tokens/{token}", async (string token, RegistrationTokenService tokens, CancellationToken ct) =>
        {
            await tokens.DeleteAsync(token, ct);
            return Results.Ok(new { });
        });
    }

    private static Dictionary<string, object?> Describe(RegistrationTokenRecord t) => new()
    {
        ["token"] = t.Token,
        ["uses_allowed"] = t.UsesAllowed,
        ["pending"] = t.Pending,
        ["completed"] = t.Completed,
        ["expiry_time"] = t.ExpiryTime,
    };
}
