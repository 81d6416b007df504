using System.Text.Json;
using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Sso;
using Homeserver.Core.Accounts.Threepids;
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

public static class LoginEndpoints
{
    public const string PasswordType = "m.login.password";
    public const string JwtType = "org.matrix.login.jwt";
    public const string AppServiceType = "m.login.application_service";
    public const string SsoType = "m.login.sso";
    /// <summary>The legacy name of the CAS flow, which Synapse still lists and older clients look for.</summary>
    public const string CasType = "m.login.cas";
    public const string TokenType = "m.login.token";

    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/login
        v3.MapGet("/login", (JwtLoginValidator jwt, SsoService sso) =>
        {
            var flows = new List<object> { new { type = PasswordType }, new { type = AppServiceType } };
            if (jwt.Enabled)
                flows.Add(new { type = JwtType });
            if (sso.Enabled)
            {
                flows.Add(new { type = SsoType, identity_providers = new[] { new { id = SsoService.CasProviderId, name = sso.IdpName } } });
                flows.Add(new { type = CasType });
                flows.Add(new { type = TokenType });
            }
            return Results.Ok(new { flows });
        });

        // POST /_matrix/client/v3/login
        v3.MapPost("/login", LoginAsync).RequireRateLimiting(RateLimitPolicies.Login);
    }

    private static async Task<IResult> LoginAsync(HttpContext ctx, AccountService accounts, JwtLoginValidator jwt, LoginTokenService loginTokens,
        AppServiceRegistry appServices, ServerIdentity server, ThreepidService threepids, CancellationToken ct)
    {
        var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
        var req = JsonBody.Bind<LoginRequest>(body);
        var session = new SessionRequest(req.DeviceId, req.InitialDeviceDisplayName, req.RefreshToken, ctx.GetClientInfo());
        IssuedSession issued;
        switch (req.Type)
        {
            case PasswordType:
                var userId = UserIdentifiers.ThirdParty(body) is { } threepid
                    ? await threepids.FindUserAsync(threepid.Medium, threepid.Address, ct)
                    : UserIdentifiers.Resolve(body, server.ServerName);
                if (req.Password is null)
                    throw MatrixException.MissingParam("Missing password");
                issued = await accounts.LoginWithPasswordAsync(userId, req.Password, session, ct);
                break;
            case JwtType:
                if (string.IsNullOrEmpty(req.Token))
                    throw MatrixException.Forbidden("Missing JWT in 'token'");
                var localpart = await jwt.ValidateAsync(req.Token);
                accounts.ValidateNewLocalpart(localpart);
                issued = await accounts.LoginTrustedAsync(localpart, session, ct);
                break;
            case TokenType:
                // Spent whether or not the login then succeeds: a token is shown once.
                var tokenUser = string.IsNullOrEmpty(req.Token) ? null : await loginTokens.TakeAsync(req.Token, ct);
                issued = await accounts.LoginVouchedAsync(tokenUser ?? throw MatrixException.Forbidden("Invalid login token"), session, ct);
                break;
            case AppServiceType:
                // Like registration, but for a user that may exist already; a user the service may act as is created if not.
                var service = RegisterEndpoints.AppServiceOf(ctx);
                var asUser = UserIdentifiers.Resolve(body, server.ServerName) ?? throw MatrixException.InvalidParam("The identifier names no user");
                if (asUser.ServerName != server.ServerName)
                    throw MatrixException.Forbidden($"{asUser} is not a user of this server");
                appServices.EnsureMayRegister(asUser, service);
                accounts.ValidateNewLocalpart(asUser.Localpart);
                issued = await accounts.LoginTrustedAsync(asUser.Localpart, session, ct);
                break;
            default:
                throw new MatrixException(400, ErrorCodes.Unknown, $"Unknown login type '{req.Type}'");
        }
        return Results.Ok(SessionResponse.For(issued, server.ServerName, server.ClientBaseUrl));
    }
}
