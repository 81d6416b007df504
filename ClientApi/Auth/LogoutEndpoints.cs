using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Auth;

public static class LogoutEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // POST /_matrix/client/v3/logout — ends this token and deletes its device, as the spec says.
        v3.MapPost("/logout", async (HttpContext ctx, SessionService sessions, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            await sessions.DeleteDevicesAsync(r.UserId, [r.DeviceId], ct);
            return Results.Ok(new { });
        }).RequireAuthorization().AllowGuests();

        // POST /_matrix/client/v3/logout/all
        v3.MapPost("/logout/all", async (HttpContext ctx, SessionService sessions, CancellationToken ct) =>
        {
            await sessions.DeleteAllDevicesAsync(ctx.GetRequester().UserId, keepDeviceId: null, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // POST /_matrix/client/v3/refresh
        v3.MapPost("/refresh", async (HttpContext ctx, SessionService sessions, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var token = body.TryGetProperty("refresh_token", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String
                ? t.GetString()!
                : throw MatrixException.MissingParam("Missing refresh_token");
            var issued = await sessions.RefreshAsync(token, ct);
            return Results.Ok(new { access_token = issued.AccessToken, refresh_token = issued.RefreshToken, expires_in_ms = issued.ExpiresInMs });
        }).RequireRateLimiting(RateLimitPolicies.Refresh);
    }
}
