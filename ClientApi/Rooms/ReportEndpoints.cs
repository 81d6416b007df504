using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Reports;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class ReportEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("/rooms/{roomId}").RequireAuthorization().RequireRateLimiting(RateLimitPolicies.Report);

        // POST /_matrix/client/v3/rooms/{roomId}/report/{eventId}
        g.MapPost("/report/{eventId}", async (string roomId, string eventId, HttpContext ctx, ReportService reports, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var reason = RoomPaths.OptionalString(body, "reason");
            // score was removed in spec v1.18 but clients still send it; it is kept when it is an integer.
            var score = OptionalInteger(body, "score");
            await reports.ReportEventAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), RoomPaths.EventId(eventId, ReportService.EventNotFound), reason, score, ct);
            return Results.Ok(new { });
        });

        // POST /_matrix/client/v3/rooms/{roomId}/report
        g.MapPost("/report", async (string roomId, HttpContext ctx, ReportService reports, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            // Required by the spec, though it may be blank.
            var reason = RoomPaths.OptionalString(body, "reason") ?? throw MatrixException.MissingParam("Missing reason");
            await reports.ReportRoomAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), reason, ct);
            return Results.Ok(new { });
        });
    }

    private static long? OptionalInteger(JsonElement body, string key) =>
        body.TryGetProperty(key, out var v) ? v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt64(out var n) => n,
            JsonValueKind.Null => null,
            _ => throw MatrixException.BadJson($"'{key}' must be an integer"),
        } : null;
}
