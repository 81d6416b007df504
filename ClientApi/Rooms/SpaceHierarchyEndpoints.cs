using System.Globalization;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Spaces;
using Homeserver.Http.Auth;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class SpaceHierarchyEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/client/v1/rooms/{roomId}/hierarchy
        v1.MapGet("/rooms/{roomId}/hierarchy", async (string roomId, string? suggested_only, string? max_depth, string? limit, string? from,
            HttpContext ctx, SpaceHierarchyService hierarchy, CancellationToken ct) =>
        {
            var request = new SpaceHierarchyRequest(Boolean(suggested_only, "suggested_only"), Integer(max_depth, "max_depth"), Integer(limit, "limit"), from);
            var page = await hierarchy.GetAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), request, ct);
            return Results.Ok(new { rooms = page.Rooms, next_batch = page.NextBatch });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.HeavyRead).AllowGuests();
    }

    private static bool Boolean(string? value, string name) => value switch
    {
        null or "false" => false,
        "true" => true,
        _ => throw MatrixException.InvalidParam($"{name} must be true or false"),
    };

    private static int? Integer(string? value, string name) =>
        value is null ? null
            : int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
            : throw MatrixException.InvalidParam($"{name} must be an integer");
}
