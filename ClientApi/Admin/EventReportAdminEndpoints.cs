using System.Text.Json.Nodes;
using Homeserver.Core.Rooms.Reports;
using Homeserver.Http.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>
/// Synapse's event reports admin API: newest first by default, <c>next_token</c> an integer, filters by reporter and
/// room (parts of their IDs) and by the reported event's sender.
/// </summary>
public static class EventReportAdminEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/v1/event_reports", async (HttpContext ctx, EventReportAdminService reports, CancellationToken ct) =>
        {
            var (from, limit) = AdminQuery.Page(ctx);
            var backwards = AdminQuery.Backwards(ctx, "b");
            var page = await reports.ListAsync(ctx.Request.Query["user_id"], ctx.Request.Query["room_id"], ctx.Request.Query["event_sender_user_id"], backwards,
                from, limit, ct);
            var body = new JsonObject
            {
                ["event_reports"] = new JsonArray(page.Reports.Select(r => (JsonNode)Json(r, withEvent: false)).ToArray()),
                ["total"] = page.Total,
            };
            if (AdminQuery.NextToken(from, page.Reports.Count, page.Total, asString: false) is { } next)
                body["next_token"] = (int)next;
            return Results.Json(body);
        });

        admin.MapGet("/v1/event_reports/{reportId}", async (string reportId, EventReportAdminService reports, CancellationToken ct) =>
            Results.Json(Json(await reports.GetAsync(AdminQuery.ReportId(reportId), ct), withEvent: true)));

        admin.MapDelete("/v1/event_reports/{reportId}", async (string reportId, EventReportAdminService reports, CancellationToken ct) =>
        {
            await reports.DeleteAsync(AdminQuery.ReportId(reportId), ct);
            return Results.Ok(new { });
        });
    }


    private static JsonObject Json(EventReportAdminService.Report r, bool withEvent)
    {
        var json = new JsonObject
        {
            ["id"] = r.Id,
            ["received_ts"] = r.ReceivedTs,
            ["room_id"] = r.RoomId,
            ["name"] = r.RoomName,
            ["event_id"] = r.EventId,
            ["user_id"] = r.Reporter,
            ["reason"] = r.Reason,
            ["score"] = r.Score,
            ["sender"] = r.Sender,
            ["canonical_alias"] = r.CanonicalAlias,
        };
        if (withEvent)
            json["event_json"] = r.EventJson?.DeepClone();
        return json;
    }
}
