using System.Text.Json;
using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Sso;
using Homeserver.Core.Accounts.Threepids;
using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.Admin.Users;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Account;

public static class AccountEndpoints
{
    private static readonly IReadOnlyList<IReadOnlyList<string>> EmailFlows = [[UiaStages.EmailIdentity]];

    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/account/whoami
        v3.MapGet("/account/whoami", (HttpContext ctx) =>
        {
            var r = ctx.GetRequester();
            // An application service acting without a device has none to name.
            return Results.Ok(new { user_id = r.UserId, device_id = r.HasDevice ? r.DeviceId : null, is_guest = r.IsGuest });
        }).RequireAuthorization().AllowGuests();

        // POST /_matrix/client/v3/account/password: with an access token, a change confirmed by the password (or single
        // sign-on for an account that has it); without one, a reset proven by a mailed token for an address of the
        // account (as Synapse, only while email is on).
        v3.MapPost("/account/password", async (HttpContext ctx, UiaService uia, SsoService sso, AccountService accounts, PasswordResetService resets,
            EmailOptions email, CancellationToken ct) =>
        {
            var r = ctx.GetOptionalRequester();
            if (r is null && !email.Enabled)
                throw new MatrixException(401, ErrorCodes.MissingToken, "Missing access token");
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var newPassword = body.TryGetProperty("new_password", out var p) && p.ValueKind == JsonValueKind.String
                ? p.GetString()!
                : throw MatrixException.MissingParam("Missing new_password");
            var logoutDevices = !body.TryGetProperty("logout_devices", out var l) || l.ValueKind != JsonValueKind.False;
            accounts.ValidatePassword(newPassword);
            if (r is null)
            {
                var completion = await uia.AuthenticateAsync(UiaOperation.PasswordReset(body), body, EmailFlows, ct);
                await resets.ResetAsync(completion.ThreepidSession, newPassword, logoutDevices, ct);
                return Results.Ok(new { });
            }
            await uia.AuthenticateAsync(UiaOperation.For("POST", "/account/password", r.UserId, body), body, await sso.UiaFlowsAsync(r.UserId, ct), ct);
            await accounts.ChangePasswordAsync(r.UserId, newPassword, logoutDevices, keepDeviceId: r.DeviceId, ct);
            return Results.Ok(new { });
        });

        // POST /_matrix/client/v3/account/deactivate
        v3.MapPost("/account/deactivate", async (HttpContext ctx, UiaService uia, SsoService sso, UserDeactivationService deactivation, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            // An application service's users have no password to confirm: its as_token is the authority, as in Synapse.
            if (ctx.GetAppService() is null)
                await uia.AuthenticateAsync(UiaOperation.For("POST", "/account/deactivate", r.UserId, body), body, await sso.UiaFlowsAsync(r.UserId, ct), ct);
            var erase = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("erase", out var e) && e.ValueKind == JsonValueKind.True;
            var unbound = await deactivation.DeactivateAsync(r.UserId, erase, ct);
            return Results.Ok(new { id_server_unbind_result = unbound ? ThreepidService.UnbindSuccess : ThreepidService.UnbindNoSupport });
        }).RequireAuthorization();
    }
}
