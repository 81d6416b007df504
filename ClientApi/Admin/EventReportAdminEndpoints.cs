using System.Text.Json.Nodes;
using Homeserver.Core.Rooms.Reports;
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
        admin.MapGet("/v1/event_reports", async (HttpRequest request, EventReportAdminService reports, CancellationToken ct) =>
        {
            var q = AdminListQuery.Parse(request, backwardsByDefault: true);
            var page = await reports.ListAsync(request.Query["user_id"], request.Query["room_id"], request.Query["event_sender_user_id"], q.Backwards,
                q.From, q.Limit, ct);
            var body = new JsonObject
            {
                ["event_reports"] = new JsonArray(page.Reports.Select(r => (JsonNode)Json(r, withEvent: false)).ToArray()),
                ["total"] = page.Total,
            };
            if (q.NextToken(page.Reports.Count, page.Total) is { } next)
                body["next_token"] = next;
            return Results.Json(body);
        });

        admin.MapGet("/v1/event_reports/{reportId}", async (string reportId, EventReportAdminService reports, CancellationToken ct) =>
            Results.Json(Json(await reports.GetAsync(AdminListQuery.ReportId(reportId), ct), withEvent: true)));

        admin.MapDelete("/v1/event_reports/{reportId}", async (string reportId, EventReportAdminService reports, CancellationToken ct) =>
        {
            await reports.DeleteAsync(AdminListQuery.ReportId(reportId), ct);
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
