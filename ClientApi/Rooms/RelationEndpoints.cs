using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Relations;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Http.Auth;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class RelationEndpoints
{
    public static void Map(RouteGroupBuilder v3, RouteGroupBuilder v1)
    {
        // GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]]
        v1.MapGet("/rooms/{roomId}/relations/{eventId}/{relType?}/{eventType?}", async (string roomId, string eventId, string? relType, string? eventType,
            string? from, string? to, string? dir, string? limit, HttpContext ctx, RelationReadService relations, CancellationToken ct) =>
        {
            var backwards = Direction(dir);
            var page = await relations.RelationsAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), RoomPaths.EventId(eventId), relType, eventType, from, to, backwards, Limit(limit, 5), ct);
            return Results.Ok(new { chunk = page.Chunk, next_batch = page.NextBatch, prev_batch = page.PrevBatch });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.HeavyRead).AllowGuests();

        // GET /_matrix/client/v1/rooms/{roomId}/threads
        v1.MapGet("/rooms/{roomId}/threads", async (string roomId, string? include, string? from, string? limit, HttpContext ctx, RelationReadService relations, CancellationToken ct) =>
        {
            if (include is not (null or "all" or "participated"))
                throw MatrixException.InvalidParam("include must be all or participated");
            var page = await relations.ThreadsAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), include == "participated", from, Limit(limit, 10), ct);
            return Results.Ok(new { chunk = page.Chunk, next_batch = page.NextBatch });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.HeavyRead);

        // GET /_matrix/client/v3/rooms/{roomId}/context/{eventId}
        v3.MapGet("/rooms/{roomId}/context/{eventId}", async (string roomId, string eventId, string? limit, HttpContext ctx, ContextReadService context, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var c = await context.GetAsync(r.UserId, r.DeviceId, RoomPaths.RoomId(roomId), RoomPaths.EventId(eventId), Limit(limit, 10), ct);
            return Results.Ok(new { @event = c.Event, events_before = c.Before, events_after = c.After, start = c.Start, end = c.End, state = c.State });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.HeavyRead).AllowGuests();
    }

    internal static bool Direction(string? dir) => dir switch
    {
        "b" or null => true,
        "f" => false,
        _ => throw MatrixException.InvalidParam("dir must be b or f"),
    };

    internal static int Limit(string? limit, int fallback) =>
        limit is null ? fallback : int.TryParse(limit, out var n) && n >= 0 ? n : throw MatrixException.InvalidParam("limit must be a non-negative integer");
}
