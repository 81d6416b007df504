using ClientApi.Rooms;
using Homeserver.Core.Accounts.Reports;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Account;

public static class UserReportEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // POST /_matrix/client/v3/users/{userId}/report (spec v1.14)
        v3.MapPost("/users/{userId}/report", async (string userId, HttpContext ctx, UserReportService reports, CancellationToken ct) =>
        {
            var target = RoomPaths.UserId(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            // Required by the spec, though it may be blank.
            var reason = RoomPaths.OptionalString(body, "reason") ?? throw MatrixException.MissingParam("Missing reason");
            await reports.ReportAsync(ctx.GetRequester().UserId, target, reason, ct);
            return Results.Ok(new { });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.Report);
    }
}
