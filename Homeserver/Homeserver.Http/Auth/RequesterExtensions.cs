using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Http;
using Homeserver.Core.AppServices;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Http.Auth;

public static class RequesterExtensions
{
    /// <summary>The requester of an endpoint that requires authorization (the middleware has already refused anonymous calls).</summary>
    public static Requester GetRequester(this HttpContext context)
    {
        var p = context.User;
        var user = p.FindFirst(AccessTokenClaims.UserId)?.Value;
        var device = p.FindFirst(AccessTokenClaims.DeviceId)?.Value;
        var session = p.FindFirst(AccessTokenClaims.SessionId)?.Value;
        if (user is null || device is null || session is null)
            throw new MatrixException(401, ErrorCodes.MissingToken, "Missing access token");
        return new Requester(UserId.Parse(user), device, session, p.FindFirst(AccessTokenClaims.AppServiceId)?.Value, context.IsGuest());
    }

    /// <summary>
    /// The requester of an endpoint that serves anonymous callers too (a password reset): null without an access token.
    /// A token that was given must be good, and a guest's is refused, as on endpoints that require authorization.
    /// </summary>
    public static Requester? GetOptionalRequester(this HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated != true)
            return AccessTokenAuthentication.HasToken(context.Request)
                ? throw (context.Items[AccessTokenAuthentication.FailureKey] as MatrixException
                    ?? MatrixException.UnknownToken("Unrecognised access token", softLogout: false))
                : null;
        if (context.IsGuest())
            throw new MatrixException(403, ErrorCodes.GuestAccessForbidden, "Guest access is not allowed on this endpoint");
        return context.GetRequester();
    }

    /// <summary>
    /// Whether the requester's session still stands. An application service's has no session to revoke: its token
    /// lives as long as its registration.
    /// </summary>
    public static ValueTask<bool> IsLiveAsync(this Requester requester, SessionValidator sessions, CancellationToken ct) =>
        requester.AppServiceId is not null ? ValueTask.FromResult(true) : sessions.IsLiveAsync(requester.SessionId, ct);

    /// <summary>The application service behind the request's <c>as_token</c>; null for any other requester.</summary>
    public static AppServiceRegistration? GetAppService(this HttpContext context) =>
        context.User.FindFirst(AccessTokenClaims.AppServiceId)?.Value is { } id
            ? context.RequestServices.GetRequiredService<AppServiceRegistry>().FindById(id)
            : null;

    /// <summary>Path parameters naming a user must name the requester (checklist row 19).</summary>
    public static void EnsureSelf(this Requester requester, string pathUserId)
    {
        if (!string.Equals(requester.UserId.ToString(), pathUserId, StringComparison.Ordinal))
            throw MatrixException.Forbidden("Cannot act on behalf of another user");
    }

    public static ClientInfo GetClientInfo(this HttpContext context) =>
        new(context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null);
}
