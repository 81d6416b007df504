using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Sending;
using Homeserver.Http.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>
/// Synapse's federation destinations admin API: the servers we send to, their backoff, the rooms we share with them,
/// and a reset of a backoff. <c>next_token</c> is a string here, as Synapse writes it.
/// </summary>
public static class FederationAdminEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/v1/federation/destinations");

        g.MapGet("", async (HttpContext ctx, FederationDestinations destinations, CancellationToken ct) =>
        {
            var (from, limit) = AdminQuery.Page(ctx);
            var backwards = AdminQuery.Backwards(ctx);
            var page = await destinations.PageAsync((string?)ctx.Request.Query["order_by"] ?? "destination", backwards, from, limit, ct);
            var body = new Dictionary<string, object?>
            {
                ["destinations"] = page.Destinations.Select(Json).ToList(),
                ["total"] = page.Total,
            };
            if (AdminQuery.NextToken(from, page.Destinations.Count, page.Total, asString: true) is { } next)
                body["next_token"] = next;
            return Results.Ok(body);
        });

        g.MapGet("/{destination}", async (string destination, FederationDestinations destinations, CancellationToken ct) =>
            Results.Ok(Json(await destinations.GetKnownAsync(destination, ct))));

        g.MapGet("/{destination}/rooms", async (string destination, HttpContext ctx, FederationDestinations destinations, CancellationToken ct) =>
        {
            var (from, limit) = AdminQuery.Page(ctx);
            var backwards = AdminQuery.Backwards(ctx);
            var rooms = await destinations.RoomsOfAsync(destination, ct);
            var ordered = backwards ? rooms.Reverse() : rooms;
            var page = ordered.Skip(from).Take(limit).Select(r => new { room_id = r.RoomId, stream_ordering = r.StreamOrdering }).ToList();
            var body = new Dictionary<string, object?> { ["rooms"] = page, ["total"] = rooms.Count };
            if (AdminQuery.NextToken(from, page.Count, rooms.Count, asString: true) is { } next)
                body["next_token"] = next;
            return Results.Ok(body);
        });

        g.MapPost("/{destination}/reset_connection", async (string destination, FederationDestinations destinations, CancellationToken ct) =>
        {
            await destinations.ResetConnectionAsync(destination, ct);
            return Results.Ok(new { });
        });
    }

    // A JsonObject keeps the nulls (never failed, nothing acknowledged yet) that the JSON options would leave out.
    private static JsonObject Json(FederationDestinations.Status d) => new()
    {
        ["destination"] = d.Destination,
        ["retry_last_ts"] = d.RetryLastTs,
        ["retry_interval"] = d.RetryIntervalMs,
        ["failure_ts"] = d.FailureTs,
        ["last_successful_stream_ordering"] = d.LastSuccessfulStreamOrdering,
    };
}
