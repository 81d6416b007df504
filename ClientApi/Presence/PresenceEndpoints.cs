using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Presence;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Presence;

public static class PresenceEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // PUT /_matrix/client/v3/presence/{userId}/status
        v3.MapPut("/presence/{userId}/status", async (string userId, HttpContext ctx, PresenceService presence, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            r.EnsureSelf(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var state = body.TryGetProperty("presence", out var p) && p.ValueKind == JsonValueKind.String
                ? p.GetString()!
                : throw MatrixException.BadJson("'presence' must be one of online, unavailable, offline");
            string? statusMsg = null;
            if (body.TryGetProperty("status_msg", out var m) && m.ValueKind != JsonValueKind.Null)
                statusMsg = m.ValueKind == JsonValueKind.String ? m.GetString() : throw MatrixException.BadJson("'status_msg' must be a string");
            await presence.SetAsync(r.UserId, state, statusMsg, ct);
            return Results.Ok(new { });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.Presence);

        // GET /_matrix/client/v3/presence/{userId}/status
        v3.MapGet("/presence/{userId}/status", async (string userId, HttpContext ctx, PresenceService presence, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var target = UserId.TryParse(userId, out var id) ? id.Value : throw MatrixException.InvalidParam("Not a valid user ID");
            return Results.Text((await presence.GetContentAsync(r.UserId, target, ct)).ToJsonString(MatrixJson.Options), "application/json");
        }).RequireAuthorization();
    }
}
