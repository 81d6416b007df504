using Homeserver.Core.Accounts;
using Homeserver.Core.Admin.Users;
using Homeserver.Core.Identifiers;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

public static class WhoisEndpoints
{
    public static void Map(RouteGroupBuilder v3, RouteGroupBuilder admin)
    {
        // GET /_synapse/admin/v1/whois/{userId}
        admin.MapGet("/v1/whois/{userId}", async (string userId, UserDeviceAdminService devices, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            return Whois.Answer(target, await devices.ListAsync(target, ct));
        });

        // GET /_matrix/client/v3/admin/whois/{userId}: for server admins, and (as Synapse allows) the user themselves.
        v3.MapGet("/admin/whois/{userId}", async (string userId, HttpContext ctx, AccountService accounts, DeviceService devices, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var target = UserId.Parse(userId);
            if (target != r.UserId)
                await accounts.EnsureAdminAsync(r.UserId, ct);
            return Whois.Answer(target, await devices.ListAsync(target, ct));
        }).RequireAuthorization();
    }
}
