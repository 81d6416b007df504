using System.Globalization;
using Homeserver.Core.Errors;
using Homeserver.Core.Push;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Push;

public static class NotificationEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/notifications
        v3.MapGet("/notifications", async (string? from, string? limit, string? only, HttpContext ctx, NotificationListService notifications, CancellationToken ct) =>
        {
            var count = NotificationListService.DefaultLimit;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
                throw MatrixException.InvalidParam("limit must be a positive integer");
            var page = await notifications.ListAsync(ctx.GetRequester().UserId, from, Math.Min(count, NotificationListService.MaxLimit), only == "highlight", ct);
            return Results.Text(page.ToJsonString(MatrixJson.Options), "application/json");
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.HeavyRead);
    }
}
