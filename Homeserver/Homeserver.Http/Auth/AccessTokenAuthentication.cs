using System.Security.Claims;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Errors;
using Homeserver.Http.Errors;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Homeserver.Http.Auth;

/// <summary>
/// Access tokens are JWTs checked by the JwtBearer middleware, from the <c>Authorization</c> header or the
/// legacy <c>access_token</c> query parameter, and then against the live session so logout bites at once.
/// Failures answer in Matrix shape: <c>M_MISSING_TOKEN</c>, or <c>M_UNKNOWN_TOKEN</c> with <c>soft_logout</c>
/// set when the token merely expired and a refresh or re-login can restore the session.
/// </summary>
public static class AccessTokenAuthentication
{
    internal const string FailureKey = "matrix.auth.failure";

    internal static bool HasToken(HttpRequest r) => r.Headers.Authorization.Count > 0 || r.Query.ContainsKey("access_token");

    public static IServiceCollection AddAccessTokenAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureJwtBearer>();
        services.AddSingleton<AppServiceRequester>();
        services.AddAuthorization(GuestAccess.ConfigurePolicies);
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, GuestAccess.Handler>();
        return services;
    }

    private sealed class ConfigureJwtBearer(AccessTokenIssuer issuer, SessionValidator sessions, AppServiceRequester appServices) : IConfigureNamedOptions<JwtBearerOptions>
    {
        public void Configure(JwtBearerOptions options) => Configure(JwtBearerDefaults.AuthenticationScheme, options);

        public void Configure(string? name, JwtBearerOptions o)
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = issuer.ValidationParameters;
            o.Events = new JwtBearerEvents
            {
                OnMessageReceived = async ctx =>
                {
                    if (ctx.Request.Headers.Authorization.Count == 0 && ctx.Request.Query.TryGetValue("access_token", out var q))
                        ctx.Token = q.ToString();
                    // An application service's as_token is not one of our JWTs: it is looked up instead of validated.
                    if (BearerToken(ctx) is { } token && appServices.Find(token) is { } service)
                    {
                        try
                        {
                            ctx.Principal = await appServices.AuthenticateAsync(service, ctx.Request, ctx.HttpContext.RequestAborted);
                            ctx.Success();
                        }
                        catch (MatrixException e)
                        {
                            ctx.HttpContext.Items[FailureKey] = e;
                            ctx.Fail(e.Message);
                        }
                    }
                },
                OnTokenValidated = async ctx =>
                {
                    var sid = ctx.Principal?.FindFirst(AccessTokenClaims.SessionId)?.Value;
                    if (sid is null || !await sessions.IsLiveAsync(sid, ctx.HttpContext.RequestAborted))
                    {
                        ctx.HttpContext.Items[FailureKey] = MatrixException.UnknownToken("Access token has been revoked", softLogout: false);
                        ctx.Fail("revoked");
                        return;
                    }
                    ctx.Principal = RequesterPrincipal(ctx.Principal!);
                },
                OnAuthenticationFailed = ctx =>
                {
                    ctx.HttpContext.Items[FailureKey] = ctx.Exception is SecurityTokenExpiredException
                        ? MatrixException.UnknownToken("Access token has expired", softLogout: true)
                        : MatrixException.UnknownToken("Unrecognised access token", softLogout: false);
                    return Task.CompletedTask;
                },
                OnChallenge = async ctx =>
                {
                    ctx.HandleResponse();
                    var error = ctx.HttpContext.Items[FailureKey] as MatrixException
                        ?? (HasToken(ctx.Request)
                            ? MatrixException.UnknownToken("Unrecognised access token", softLogout: false)
                            : new MatrixException(401, ErrorCodes.MissingToken, "Missing access token"));
                    await MatrixErrorWriter.WriteAsync(ctx.HttpContext, error);
                },
                // The only requirement an authenticated requester can fail is the guest one (GuestAccess).
                OnForbidden = ctx => MatrixErrorWriter.WriteAsync(ctx.HttpContext,
                    new MatrixException(403, ErrorCodes.GuestAccessForbidden, "Guest access is not allowed on this endpoint")),
            };
        }

        /// <summary>
        /// Only the requester's claims, without the parsed token the validated principal refers to: a sync held
        /// open for minutes keeps its principal, and the token with all its claims cost kilobytes per connection.
        /// </summary>
        private static ClaimsPrincipal RequesterPrincipal(ClaimsPrincipal validated) =>
            new(new ClaimsIdentity(
                validated.Claims.Where(c => c.Type is AccessTokenClaims.UserId or AccessTokenClaims.DeviceId or AccessTokenClaims.SessionId or AccessTokenClaims.Guest)
                    .Select(c => new Claim(c.Type, c.Value)),
                JwtBearerDefaults.AuthenticationScheme, AccessTokenClaims.UserId, roleType: null));

        private static string? BearerToken(MessageReceivedContext ctx)
        {
            if (ctx.Token is { Length: > 0 } fromQuery)
                return fromQuery;
            var header = ctx.Request.Headers.Authorization.ToString();
            return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        }
    }
}
