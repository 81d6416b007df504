using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Http;

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
        return new Requester(UserId.Parse(user), device, session);
    }

    /// <summary>Path parameters naming a user must name the requester (checklist row 19).</summary>
    public static void EnsureSelf(this Requester requester, string pathUserId)
    {
        if (!string.Equals(requester.UserId.ToString(), pathUserId, StringComparison.Ordinal))
            throw MatrixException.Forbidden("Cannot act on behalf of another user");
    }

    public static ClientInfo GetClientInfo(this HttpContext context) =>
        new(context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null);
}
