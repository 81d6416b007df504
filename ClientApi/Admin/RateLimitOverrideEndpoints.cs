using Homeserver.Core.Admin.Users;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.RateLimiting;
using Homeserver.Http.Admin;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>Synapse's <c>override_ratelimit</c>: a user's own rate in place of the configured per-account limits.</summary>
public static class RateLimitOverrideEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        // GET /_synapse/admin/v1/users/{userId}/override_ratelimit: {} when none is set.
        admin.MapGet("/v1/users/{userId}/override_ratelimit", async (string userId, UserAdminService users, CancellationToken ct) =>
            Results.Ok(await users.GetRateLimitAsync(UserId.Parse(userId), ct) is { } own ? Describe(own) : new Dictionary<string, object>()));

        // POST /_synapse/admin/v1/users/{userId}/override_ratelimit: both values default to 0, which lifts the limits.
        admin.MapPost("/v1/users/{userId}/override_ratelimit", async (string userId, HttpContext ctx, UserAdminService users, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var own = await users.SetRateLimitAsync(target, Count(body, "messages_per_second"), Count(body, "burst_count"), ct);
            return Results.Ok(Describe(own));
        });

        // DELETE /_synapse/admin/v1/users/{userId}/override_ratelimit
        admin.MapDelete("/v1/users/{userId}/override_ratelimit", async (string userId, UserAdminService users, CancellationToken ct) =>
        {
            await users.DeleteRateLimitAsync(UserId.Parse(userId), ct);
            return Results.Ok(new { });
        });
    }

    private static long Count(System.Text.Json.JsonElement body, string key) =>
        AdminBody.NullableLong(body, key) switch
        {
            { IsSet: false } => 0,
            { Value: { } n } => n,
            _ => throw MatrixException.InvalidParam($"{key} must be a positive integer"),
        };

    private static Dictionary<string, object> Describe(RateLimitOverride own) => new()
    {
        ["messages_per_second"] = own.MessagesPerSecond,
        ["burst_count"] = own.BurstCount,
    };
}
