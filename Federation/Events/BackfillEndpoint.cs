using Homeserver.Http.FederationAuth;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Reads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Events;

public static class BackfillEndpoint
{
    /// <summary>Backfill starts from a room's extremities, a handful; more is a request to make the server work for nothing.</summary>
    public const int MaxStartEvents = 100;

    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/federation/v1/backfill/{roomId}?v=&limit= — the given events and those before them.
        v1.MapGet("/backfill/{roomId}", async (string roomId, HttpContext ctx, FederationHistoryReads reads, ServerIdentity server, TimeProvider time,
            CancellationToken ct) =>
        {
            var room = FederationPaths.RoomId(roomId);
            var query = ctx.Request.Query;
            var from = query["v"];
            if (from.Count == 0)
                throw MatrixException.MissingParam("Missing 'v'");
            if (from.Count > MaxStartEvents)
                throw MatrixException.InvalidParam($"At most {MaxStartEvents} events to backfill from");
            var limit = QueryInts.Required(query, "limit");
            var pdus = await reads.BackfillAsync(ctx.GetFederationOrigin(), room, from.Select(FederationPaths.EventId).ToList(), limit, ct);
            return Results.Ok(FederationTransaction.Of(server, time, pdus));
        });
    }
}
