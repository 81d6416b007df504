using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Auth;

public static class RegisterEndpoints
{
    public static void Map(RouteGroupBuilder v3, RouteGroupBuilder v1)
    {
        // POST /_matrix/client/v3/register
        // Limited inside, by RegistrationLimiter: only a created account or a failed stage takes a token.
        v3.MapPost("/register", RegisterAsync);

        // GET /_matrix/client/v3/register/available
        v3.MapGet("/register/available", async (string? username, AccountService accounts, RegistrationOptions registration, CancellationToken ct) =>
        {
            EnsureEnabled(registration);
            if (string.IsNullOrEmpty(username))
                throw MatrixException.MissingParam("Missing username");
            accounts.ValidateNewLocalpart(username);
            await accounts.EnsureAvailableAsync(username, ct);
            return Results.Ok(new { available = true });
        }).RequireRateLimiting(RateLimitPolicies.Registration);

        // GET /_matrix/client/v1/register/m.login.registration_token/validity
        v1.MapGet("/register/m.login.registration_token/validity", (string? token, RegistrationOptions registration) =>
        {
            EnsureEnabled(registration);
            if (token is null)
                throw MatrixException.MissingParam("Missing token");
            return Results.Ok(new { valid = RegistrationTokens.IsValid(registration, token) });
        }).RequireRateLimiting(RateLimitPolicies.Registration);
    }

    private static async Task<IResult> RegisterAsync(HttpContext ctx, string? kind, AccountService accounts, UiaService uia,
        RegistrationLimiter limiter, RegistrationOptions registration, ServerIdentity server, CancellationToken ct)
    {
        if (kind is "guest")
            throw new MatrixException(403, "M_GUEST_ACCESS_FORBIDDEN", "Guest access is not enabled on this server");
        EnsureEnabled(registration);
        limiter.AdmitRequest(ctx);
        var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
        var req = JsonBody.Bind<RegisterRequest>(body);
        // Checked before any auth stage, so a client learns a name is taken before the user solves anything.
        if (req.Username is not null)
        {
            accounts.ValidateNewLocalpart(req.Username);
            await accounts.EnsureAvailableAsync(req.Username, ct);
        }
        if (req.Password is not null)
            accounts.ValidatePassword(req.Password);

        IReadOnlyList<IReadOnlyList<string>> flows = registration.RequireToken
            ? [[UiaStages.RegistrationToken]]
            : [[UiaStages.Dummy]];
        // Clients probe with an empty body and send the details with a later stage, so a registration
        // session is bound to the endpoint only.
        try
        {
            await uia.AuthenticateAsync(new UiaOperation("POST", "/register", null, ""), body, flows, ct);
        }
        catch (MatrixException e) when (e is not UiaRequiredException { StageFailed: false })
        {
            limiter.ChargeFailure(ctx);
            throw;
        }

        if (req.Password is null)
            throw MatrixException.MissingParam("Missing password");
        var localpart = req.Username ?? "u" + SecureTokens.Alphanumeric(10).ToLowerInvariant();
        var login = req.InhibitLogin ? null : new SessionRequest(req.DeviceId, req.InitialDeviceDisplayName, req.RefreshToken, ctx.GetClientInfo());
        limiter.TakeRegistration(ctx);
        var (userId, session) = await accounts.CreateAsync(localpart, req.Password, admin: false, login, ct);
        return Results.Ok(session is null
            ? new Dictionary<string, object?> { ["user_id"] = userId, ["home_server"] = server.ServerName }
            : SessionResponse.For(session, server.ServerName, null));
    }

    private static void EnsureEnabled(RegistrationOptions registration)
    {
        if (!registration.Enabled)
            throw MatrixException.Forbidden("Registration has been disabled");
    }
}
