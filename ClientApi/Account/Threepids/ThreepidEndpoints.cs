using System.Text.Json;
using Homeserver.Core.Accounts.Sso;
using Homeserver.Core.Accounts.Threepids;
using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Account.Threepids;

/// <summary>
/// Third-party IDs (spec "Adding Account Administrative Contact Information"): mailing validation tokens, the link
/// the mail holds, an account's addresses, and binding them at identity servers. Served under <c>unstable</c> too,
/// where older clients (and SyTest) still call bind and unbind.
/// </summary>
public static class ThreepidEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var client = app.MapGroup("/_matrix/client/{version:regex(^(v3|r0|unstable)$)}");

        // POST /_matrix/client/v3/register/email/requestToken
        client.MapPost("/register/email/requestToken", async (HttpContext ctx, RegistrationOptions registration, ValidationService validation, CancellationToken ct) =>
        {
            if (!registration.Enabled)
                throw MatrixException.Forbidden("Registration has been disabled");
            return await RequestTokenAsync(ctx, ValidationPurpose.Registration, validation, ct);
        }).RequireRateLimiting(RateLimitPolicies.Registration);

        // POST /_matrix/client/v3/account/3pid/email/requestToken
        client.MapPost("/account/3pid/email/requestToken", (HttpContext ctx, ValidationService validation, CancellationToken ct) =>
            RequestTokenAsync(ctx, ValidationPurpose.AddThreepid, validation, ct)).RequireRateLimiting(RateLimitPolicies.Registration);

        // POST /_matrix/client/v3/account/password/email/requestToken: only for an address an account holds.
        client.MapPost("/account/password/email/requestToken", (HttpContext ctx, ValidationService validation, CancellationToken ct) =>
            RequestTokenAsync(ctx, ValidationPurpose.PasswordReset, validation, ct)).RequireRateLimiting(RateLimitPolicies.Registration);

        // POST /_matrix/client/v3/{register,account/3pid,account/password}/msisdn/requestToken: texted by the delegate identity server, if any.
        client.MapPost("/register/msisdn/requestToken", async (HttpContext ctx, RegistrationOptions registration, MsisdnValidation msisdn, CancellationToken ct) =>
        {
            if (!registration.Enabled)
                throw MatrixException.Forbidden("Registration has been disabled");
            return await RequestMsisdnTokenAsync(ctx, ValidationPurpose.Registration, msisdn, ct);
        }).RequireRateLimiting(RateLimitPolicies.Registration);
        client.MapPost("/account/3pid/msisdn/requestToken", (HttpContext ctx, MsisdnValidation msisdn, CancellationToken ct) =>
            RequestMsisdnTokenAsync(ctx, ValidationPurpose.AddThreepid, msisdn, ct)).RequireRateLimiting(RateLimitPolicies.Registration);
        client.MapPost("/account/password/msisdn/requestToken", (HttpContext ctx, MsisdnValidation msisdn, CancellationToken ct) =>
            RequestMsisdnTokenAsync(ctx, ValidationPurpose.PasswordReset, msisdn, ct)).RequireRateLimiting(RateLimitPolicies.Registration);

        // The link in the mail (GET, from a browser) or a client passing the token on (POST).
        app.MapGet("/" + ValidationService.SubmitTokenPath, async (string? sid, string? client_secret, string? token, ValidationService validation, CancellationToken ct) =>
        {
            await validation.SubmitTokenAsync(sid, client_secret, token, ct);
            return Results.Content("<!DOCTYPE html><html><body><p>Your email address has been validated. You can close this page.</p></body></html>", "text/html");
        }).RequireRateLimiting(RateLimitPolicies.Login);
        app.MapPost("/" + ValidationService.SubmitTokenPath, async (HttpContext ctx, ValidationService validation, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            await validation.SubmitTokenAsync(Text(body, "sid"), Text(body, "client_secret"), Text(body, "token"), ct);
            return Results.Ok(new { success = true });
        }).RequireRateLimiting(RateLimitPolicies.Login);

        // GET /_matrix/client/v3/account/3pid
        client.MapGet("/account/3pid", async (HttpContext ctx, ThreepidService threepids, CancellationToken ct) =>
        {
            var list = await threepids.ListAsync(ctx.GetRequester().UserId, ct);
            return Results.Ok(new
            {
                threepids = list.Select(t => new { medium = t.Medium, address = t.Address, validated_at = t.ValidatedAt, added_at = t.AddedAt }),
            });
        }).RequireAuthorization();

        // POST /_matrix/client/v3/account/3pid (deprecated): add, and bind when asked.
        client.MapPost("/account/3pid", async (HttpContext ctx, ThreepidService threepids, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var req = await JsonBody.ReadAsync<LegacyAddRequest>(ctx.Request, ct);
            var creds = req.ThreePidCreds ?? req.CamelCaseCreds ?? throw MatrixException.MissingParam("Missing three_pid_creds");
            await threepids.AddAsync(r.UserId, creds.Sid, creds.ClientSecret, creds.IdServer, creds.IdAccessToken, ct);
            if (req.Bind)
                await threepids.BindAddressAsync(r.UserId, creds.IdServer, creds.IdAccessToken, creds.Sid, creds.ClientSecret, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // POST /_matrix/client/v3/account/3pid/add
        client.MapPost("/account/3pid/add", async (HttpContext ctx, UiaService uia, SsoService sso, ThreepidService threepids, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var creds = JsonBody.Bind<ThreepidCreds>(body);
            if (string.IsNullOrEmpty(creds.Sid) || string.IsNullOrEmpty(creds.ClientSecret))
                throw MatrixException.MissingParam("sid and client_secret are required");
            await uia.AuthenticateAsync(UiaOperation.For("POST", "/account/3pid/add", r.UserId, body), body, await sso.UiaFlowsAsync(r.UserId, ct), ct);
            await threepids.AddAsync(r.UserId, creds.Sid, creds.ClientSecret, idServer: null, idAccessToken: null, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // POST /_matrix/client/v3/account/3pid/bind
        client.MapPost("/account/3pid/bind", async (HttpContext ctx, ThreepidService threepids, CancellationToken ct) =>
        {
            var creds = await JsonBody.ReadAsync<ThreepidCreds>(ctx.Request, ct);
            await threepids.BindAddressAsync(ctx.GetRequester().UserId, creds.IdServer, creds.IdAccessToken, creds.Sid, creds.ClientSecret, ct);
            return Results.Ok(new { });
        }).RequireAuthorization();

        // POST /_matrix/client/v3/account/3pid/unbind
        client.MapPost("/account/3pid/unbind", async (HttpContext ctx, ThreepidService threepids, CancellationToken ct) =>
        {
            var req = await JsonBody.ReadAsync<ThreepidAddressRequest>(ctx.Request, ct);
            var result = await threepids.UnbindAsync(ctx.GetRequester().UserId, req.Medium, req.Address, req.IdServer, ct);
            return Results.Ok(new { id_server_unbind_result = result });
        }).RequireAuthorization();

        // POST /_matrix/client/v3/account/3pid/delete
        client.MapPost("/account/3pid/delete", async (HttpContext ctx, ThreepidService threepids, CancellationToken ct) =>
        {
            var req = await JsonBody.ReadAsync<ThreepidAddressRequest>(ctx.Request, ct);
            var result = await threepids.DeleteAsync(ctx.GetRequester().UserId, req.Medium, req.Address, req.IdServer, ct);
            return Results.Ok(new { id_server_unbind_result = result });
        }).RequireAuthorization();
    }

    private static async Task<IResult> RequestTokenAsync(HttpContext ctx, ValidationPurpose purpose, ValidationService validation, CancellationToken ct)
    {
        var req = await JsonBody.ReadAsync<EmailTokenRequest>(ctx.Request, ct);
        ValidationService.ValidateNextLink(req.NextLink);
        var sid = await validation.RequestEmailTokenAsync(purpose, req.ClientSecret, req.Email, req.SendAttempt, ct);
        return Results.Ok(new { sid });
    }

    private static async Task<IResult> RequestMsisdnTokenAsync(HttpContext ctx, ValidationPurpose purpose, MsisdnValidation msisdn, CancellationToken ct)
    {
        var req = await JsonBody.ReadAsync<MsisdnTokenRequest>(ctx.Request, ct);
        var answer = await msisdn.RequestTokenAsync(purpose, req.ClientSecret, req.Country, req.PhoneNumber, req.SendAttempt, req.NextLink, ct);
        return Results.Content(answer.ToJsonString(), "application/json");
    }

    private static string? Text(JsonElement body, string key) =>
        body.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
