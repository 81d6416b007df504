using Homeserver.Core.AppServices;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>
/// The application services and their queues, for server admins, beside Synapse's admin API (which has no such view):
/// an admin's access token, 403 <c>M_FORBIDDEN</c> for anyone else, as Synapse answers its admin endpoints.
/// </summary>
public static class AppServiceAdminEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/v1/appservices", async (HttpContext ctx, AppServiceStatus status, CancellationToken ct) =>
        {
            var entries = await status.ListAsync(ctx.GetRequester().UserId, ct);
            return Results.Ok(new
            {
                appservices = entries.Select(e => new
                {
                    id = e.Id,
                    url = e.Url,
                    sender = e.Sender,
                    receive_ephemeral = e.ReceiveEphemeral,
                    msc3202 = e.DeviceMasquerading,
                    protocols = e.Protocols,
                    events_position = e.EventsPosition,
                    last_txn_id = e.LastTxnId,
                    pending_txn_id = e.PendingTxnId,
                    pending_events = e.PendingEvents,
                    last_success_ts = e.LastSuccessTs,
                    last_failure_ts = e.LastFailureTs,
                    last_error = e.LastError,
                }),
            });
        });
    }
}
