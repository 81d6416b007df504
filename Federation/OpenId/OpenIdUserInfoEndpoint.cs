using Homeserver.Core.Accounts.OpenId;
using Homeserver.Core.Errors;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.OpenId;

/// <summary>
/// <c>GET /_matrix/federation/v1/openid/userinfo</c>: whose an OpenID token is. The asker is a third party holding the
/// token, not a homeserver, so the spec leaves it without X-Matrix; limited per address instead, like the client API's
/// unauthenticated endpoints.
/// </summary>
public static class OpenIdUserInfoEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/_matrix/federation/v1/openid/userinfo", async (string? access_token, OpenIdTokenService openId, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(access_token))
                throw new MatrixException(401, ErrorCodes.MissingToken, "Access token required");
            return Results.Ok(new { sub = await openId.OwnerAsync(access_token, ct) });
        }).RequireRateLimiting(RateLimitPolicies.OpenIdUserInfo);
}
