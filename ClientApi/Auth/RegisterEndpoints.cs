using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Threepids;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.AppServices;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Auth;

public static class RegisterEndpoints
{
    private const string AppServiceLoginType = "m.login.application_service";

    public static void Map(RouteGroupBuilder v3, RouteGroupBuilder v1)
    {
        // POST /_matrix/client/v3/register
        // Limited inside, by RegistrationLimiter: only a created account or a failed stage takes a token.
        v3.MapPost("/register", RegisterAsync);

        // GET /_matrix/client/v3/register/available
        v3.MapGet("/register/available", async (string? username, AccountService accounts, AppServiceRegistry appServices, RegistrationOptions registration,
            ServerIdentity server, CancellationToken ct) =>
        {
            EnsureEnabled(registration);
            if (string.IsNullOrEmpty(username))
                throw MatrixException.MissingParam("Missing username");
            accounts.ValidateNewLocalpart(username);
            appServices.EnsureMayRegister(new UserId(username, server.ServerName), by: null);
            await accounts.EnsureAvailableAsync(username, ct);
            return Results.Ok(new { available = true });
        }).RequireRateLimiting(RateLimitPolicies.Registration);

        // GET /_matrix/client/v1/register/m.login.registration_token/validity
        v1.MapGet("/register/m.login.registration_token/validity", async (string? token, RegistrationOptions registration, RegistrationTokenService tokens,
            CancellationToken ct) =>
        {
            EnsureEnabled(registration);
            if (token is null)
                throw MatrixException.MissingParam("Missing token");
            return Results.Ok(new { valid = await tokens.IsValidAsync(token, ct) });
        }).RequireRateLimiting(RateLimitPolicies.Registration);
    }

    private static async Task<IResult> RegisterAsync(HttpContext ctx, string? kind, AccountService accounts, UiaService uia,
        RegistrationLimiter limiter, RegistrationOptions registration, ServerIdentity server, AppServiceRegistry appServices,
        AccessTokenReader tokens, EmailOptions email, ThreepidService threepids, CancellationToken ct)
    {
        var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
        switch (kind)
        {
            case "guest":
                return await RegisterGuestAsync(ctx, body, accounts, limiter, registration, server, ct);
            case not (null or "user"):
                throw MatrixException.InvalidParam("kind must be user or guest");
        }
        if (IsAppServiceRegistration(body))
            return await RegisterForAppServiceAsync(ctx, body, accounts, limiter, server, appServices, ct);
        EnsureEnabled(registration);
        limiter.AdmitRequest(ctx);
        var sent = JsonBody.Bind<RegisterRequest>(body);
        // As in Synapse, the session remembers the parameters (never the password, only its hash) of its requests, so a
        // client may give them once and later send only the session; and it remembers the user it registered, so the
        // same request again answers with that user instead of failing on a name now taken.
        var memory = UiaService.SessionIdOf(body) is { } sessionId ? await uia.RegistrationMemoryAsync(sessionId, ct) : null;
        var given = JsonNode.Parse(body.GetRawText()) as JsonObject ?? [];
        given.Remove("auth");
        given.Remove("password");
        var parameters = given.Count == 0 && memory is not null ? memory.Params : given;
        var req = (ReferenceEquals(parameters, given) ? sent : JsonBody.Bind<RegisterRequest>(JsonSerializer.SerializeToElement(parameters))) with { Password = sent.Password };
        // A name chosen with capitals is registered in lower case, as Synapse does, rather than refused.
        if (req.Username is not null)
            req = req with { Username = req.Username.ToLowerInvariant() };
        var registered = memory?.RegisteredUserId;
        var upgrading = await GuestToUpgradeAsync(req, tokens, server, ct);
        // Checked before any auth stage, so a client learns a name is taken before the user solves anything.
        if (req.Username is not null && upgrading is null && registered != new UserId(req.Username, server.ServerName))
        {
            accounts.ValidateNewLocalpart(req.Username);
            appServices.EnsureMayRegister(new UserId(req.Username, server.ServerName), by: null);
            await accounts.EnsureAvailableAsync(req.Username, ct);
        }
        if (req.Password is not null)
            accounts.ValidatePassword(req.Password);

        IReadOnlyList<IReadOnlyList<string>> flows = registration.RequireToken
            ? [[UiaStages.RegistrationToken]]
            : email.Enabled ? [[UiaStages.Dummy], [UiaStages.EmailIdentity]] : [[UiaStages.Dummy]];
        // Clients probe with an empty body and send the details with a later stage, so a registration
        // session is bound to the endpoint only.
        UiaCompletion completion;
        try
        {
            completion = await uia.AuthenticateAsync(new UiaOperation("POST", "/register", null, ""), body, flows, ct, keepCompleted: true);
        }
        catch (UiaRequiredException e)
        {
            var hash = memory?.PasswordHash is null && req.Password is { } password ? accounts.HashPassword(password) : null;
            await uia.RememberRegistrationAsync(e.Session, parameters, hash, ct);
            if (e.StageFailed)
                limiter.ChargeFailure(ctx);
            throw;
        }
        catch (MatrixException)
        {
            limiter.ChargeFailure(ctx);
            throw;
        }

        var login = req.InhibitLogin ? null : new SessionRequest(req.DeviceId, req.InitialDeviceDisplayName, req.RefreshToken, ctx.GetClientInfo());
        if (registered is { } already)
        {
            var again = login is null ? null : await accounts.StartRegisteredSessionAsync(already, login, ct);
            return RegisteredResponse(already, again, server);
        }
        var passwordHash = req.Password is { } plain ? accounts.HashPassword(plain)
            : memory?.PasswordHash ?? throw MatrixException.MissingParam("Missing password");
        var localpart = req.Username ?? AccountService.GeneratedLocalpart();
        limiter.TakeRegistration(ctx);
        var (userId, session) = upgrading is { } guest
            ? (guest, await accounts.UpgradeGuestAsync(guest, passwordHash, login, ct, completion.RegistrationToken))
            : await accounts.CreateWithPasswordHashAsync(localpart, passwordHash, login, completion.RegistrationToken, ct);
        if (completion.ThreepidSession is { } proven)
            await threepids.AddRegisteredAsync(userId, proven, ct);
        await uia.SetRegisteredUserAsync(completion.SessionId, userId, ct);
        return RegisteredResponse(userId, session, server);
    }

    private static IResult RegisteredResponse(UserId userId, IssuedSession? session, ServerIdentity server) =>
        Results.Ok(session is null
            ? new Dictionary<string, object?> { ["user_id"] = userId, ["home_server"] = server.ServerName }
            : SessionResponse.For(session, server.ServerName, null));

    /// <summary>
    /// Guest access module: a guest upgrades by registering with its own access token and its own localpart as
    /// <c>username</c>. Null when the request is no upgrade; a token of anyone but a guest, or a name other than the
    /// guest's own, is treated as a plain registration of that name, which is then taken (as in Synapse).
    /// </summary>
    private static async Task<UserId?> GuestToUpgradeAsync(RegisterRequest req, AccessTokenReader tokens, ServerIdentity server, CancellationToken ct)
    {
        if (req.GuestAccessToken is not { Length: > 0 } token || req.Username is null)
            return null;
        return await tokens.ReadAsync(token, ct) is { IsGuest: true } holder && holder.UserId == new UserId(req.Username, server.ServerName)
            ? holder.UserId
            : null;
    }

    /// <summary>
    /// A guest account: no password and no interactive stages, only a device session. Off unless the config allows
    /// guests, whether or not registration is open.
    /// </summary>
    private static async Task<IResult> RegisterGuestAsync(HttpContext ctx, JsonElement body, AccountService accounts, RegistrationLimiter limiter,
        RegistrationOptions registration, ServerIdentity server, CancellationToken ct)
    {
        if (!registration.AllowGuestAccess)
            throw new MatrixException(403, ErrorCodes.GuestAccessForbidden, "Guest access is not enabled on this server");
        limiter.AdmitRequest(ctx);
        var req = JsonBody.Bind<RegisterRequest>(body);
        limiter.TakeRegistration(ctx);
        var session = await accounts.CreateGuestAsync(new SessionRequest(req.DeviceId, req.InitialDeviceDisplayName, req.RefreshToken, ctx.GetClientInfo()), ct);
        return Results.Ok(SessionResponse.For(session, server.ServerName, null));
    }

    private static bool IsAppServiceRegistration(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object
        && ((body.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == AppServiceLoginType)
            || (body.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.Object
                && auth.TryGetProperty("type", out var authType) && authType.ValueKind == JsonValueKind.String && authType.GetString() == AppServiceLoginType));

    /// <summary>
    /// An application service creates a user of its namespaces, with no password and no interactive stages; open
    /// registration is not needed, since the operator registered the service (spec "Server admin style permissions").
    /// </summary>
    private static async Task<IResult> RegisterForAppServiceAsync(HttpContext ctx, JsonElement body, AccountService accounts,
        RegistrationLimiter limiter, ServerIdentity server, AppServiceRegistry appServices, CancellationToken ct)
    {
        var service = AppServiceOf(ctx);
        if (service.RateLimited)
            limiter.AdmitRequest(ctx);
        var req = JsonBody.Bind<RegisterRequest>(body);
        if (req.Username is null)
            throw MatrixException.MissingParam("An application service must name the user it registers");
        var localpart = req.Username.ToLowerInvariant();
        accounts.ValidateNewLocalpart(localpart);
        appServices.EnsureMayRegister(new UserId(localpart, server.ServerName), service);
        var login = req.InhibitLogin ? null : new SessionRequest(req.DeviceId, req.InitialDeviceDisplayName, req.RefreshToken, ctx.GetClientInfo());
        if (service.RateLimited)
            limiter.TakeRegistration(ctx);
        var (userId, session) = await accounts.CreateAsync(localpart, password: null, admin: false, login, ct);
        return Results.Ok(session is null
            ? new Dictionary<string, object?> { ["user_id"] = userId, ["home_server"] = server.ServerName }
            : SessionResponse.For(session, server.ServerName, null));
    }

    /// <summary>The application service behind the request's <c>as_token</c>; 401 as for any missing or bad token otherwise.</summary>
    internal static AppServiceRegistration AppServiceOf(HttpContext ctx)
    {
        if (ctx.GetAppService() is { } service)
            return service;
        throw ctx.Request.Headers.Authorization.Count > 0 || ctx.Request.Query.ContainsKey("access_token")
            ? MatrixException.UnknownToken("m.login.application_service needs an application service's as_token", softLogout: false)
            : new MatrixException(401, ErrorCodes.MissingToken, "m.login.application_service needs an application service's as_token");
    }

    private static void EnsureEnabled(RegistrationOptions registration)
    {
        if (!registration.Enabled)
            throw MatrixException.Forbidden("Registration has been disabled");
    }
}
