using Homeserver.Core.Accounts.Reports;
using Homeserver.Http.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>
/// Synapse's user reports admin API: newest first by default, <c>next_token</c> an integer, filters by parts of the
/// reporter's (<c>user_id</c>) and the reported user's (<c>target_user_id</c>) IDs.
/// </summary>
public static class UserReportAdminEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/v1/user_reports", async (HttpContext ctx, UserReportService reports, CancellationToken ct) =>
        {
            var (from, limit) = AdminQuery.Page(ctx);
            var backwards = AdminQuery.Backwards(ctx, "b");
            var page = await reports.ListAsync(ctx.Request.Query["user_id"], ctx.Request.Query["target_user_id"], backwards, from, limit, ct);
            var body = new Dictionary<string, object> { ["user_reports"] = page.Reports.Select(Json).ToList(), ["total"] = page.Total };
            if (AdminQuery.NextToken(from, page.Reports.Count, page.Total, asString: false) is { } next)
                body["next_token"] = next;
            return Results.Ok(body);
        });

        admin.MapGet("/v1/user_reports/{reportId}", async (string reportId, UserReportService reports, CancellationToken ct) =>
            Results.Ok(Json(await reports.GetAsync(AdminQuery.ReportId(reportId), ct))));

        admin.MapDelete("/v1/user_reports/{reportId}", async (string reportId, UserReportService reports, CancellationToken ct) =>
        {
            await reports.DeleteAsync(AdminQuery.ReportId(reportId), ct);
            return Results.Ok(new { });
        });
    }


    private static object Json(UserReportService.Report r) => new
    {
        id = r.Id,
        received_ts = r.ReceivedTs,
        target_user_id = r.TargetUserId,
        user_id = r.Reporter,
        reason = r.Reason,
    };
}
