using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

public static class WhoisEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/admin/whois/{userId}: for server admins, and (as Synapse allows) the user themselves.
        v3.MapGet("/admin/whois/{userId}", async (string userId, HttpContext ctx, AccountService accounts, DeviceService devices, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var target = UserId.Parse(userId);
            if (target != r.UserId)
                await accounts.EnsureAdminAsync(r.UserId, ct);
            // This server keeps one session per device and its latest connection, so each device has one session
            // with at most one connection.
            var byDevice = new JsonObject();
            foreach (var d in await devices.ListAsync(target, ct))
            {
                var connections = new JsonArray();
                if (d.LastSeenTs is { } lastSeen)
                    connections.Add(new JsonObject { ["ip"] = d.LastSeenIp, ["last_seen"] = lastSeen, ["user_agent"] = d.LastSeenUserAgent });
                byDevice[d.DeviceId] = new JsonObject { ["sessions"] = new JsonArray(new JsonObject { ["connections"] = connections }) };
            }
            var body = new JsonObject { ["user_id"] = target.ToString(), ["devices"] = byDevice };
            return Results.Text(body.ToJsonString(), "application/json");
        }).RequireAuthorization();
    }
}
