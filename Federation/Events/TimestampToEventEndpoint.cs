using Homeserver.Http.FederationAuth;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Reads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Events;

public static class TimestampToEventEndpoint
{
    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/federation/v1/timestamp_to_event/{roomId}?ts=&dir= — the room's event closest to a time.
        v1.MapGet("/timestamp_to_event/{roomId}", async (string roomId, HttpContext ctx, FederationHistoryReads reads, CancellationToken ct) =>
        {
            var room = FederationPaths.RoomId(roomId);
            var ts = QueryInts.RequiredLong(ctx.Request.Query, "ts");
            var forwards = ctx.Request.Query["dir"].ToString() switch
            {
                "f" => true,
                "b" => false,
                "" => throw MatrixException.MissingParam("Missing 'dir'"),
                _ => throw MatrixException.InvalidParam("'dir' must be 'f' or 'b'"),
            };
            var (eventId, originServerTs) = await reads.ClosestEventAsync(ctx.GetFederationOrigin(), room, ts, forwards, ct);
            return Results.Ok(new { event_id = eventId, origin_server_ts = originServerTs });
        });
    }
}
