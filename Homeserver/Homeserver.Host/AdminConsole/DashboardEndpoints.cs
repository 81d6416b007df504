using System.Text.Json.Nodes;
using Homeserver.Core.Admin.Overview;
using Homeserver.Http.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Homeserver.Host.AdminConsole;

/// <summary>
/// <c>GET /_homeserver/admin/v1/dashboard</c>: the console dashboard's figures for admins, in one call the page polls
/// every few seconds. Synapse has no such call (its dashboards read Prometheus), so it lives under our own prefix.
/// Events and requests are this server's own, measured in process; the totals and sizes are the database's.
/// </summary>
public static class DashboardEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(EffectiveConfigEndpoints.Prefix).RequireAuthorization().RequireServerAdmin();
        admin.MapGet("/v1/dashboard", async (ServerOverview overview, CancellationToken ct) =>
        {
            var f = await overview.ReadAsync(ct);
            var (t, a) = (f.Totals, f.Activity);
            var body = new JsonObject
            {
                ["users"] = t.Users,
                ["rooms"] = t.Rooms,
                ["events_last_minute"] = a.EventsLastMinute,
                ["events_last_hour"] = a.EventsLastHour,
                ["requests_per_second"] = Math.Round(a.RequestsPerSecond, 3),
                ["request_latency_ms"] = new JsonObject { ["p50"] = Ms(a.LatencyP50Seconds), ["p90"] = Ms(a.LatencyP90Seconds), ["p99"] = Ms(a.LatencyP99Seconds) },
                ["database"] = new JsonObject { ["engine"] = f.DatabaseEngine, ["size_bytes"] = f.DatabaseBytes },
                ["media"] = new JsonObject { ["local_bytes"] = t.LocalMediaBytes, ["remote_cache_bytes"] = t.RemoteMediaBytes },
                ["federation"] = new JsonObject
                {
                    ["destinations"] = t.Destinations,
                    ["reachable"] = t.Destinations - t.DestinationsBackingOff,
                    ["backing_off"] = t.DestinationsBackingOff,
                },
            };
            return Results.Json(body);
        });
    }

    private static double? Ms(double? seconds) => seconds is { } s ? Math.Round(s * 1000, 1) : null;
}
