using Homeserver.Core.Accounts.OpenId;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Account;

public static class OpenIdEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // POST /_matrix/client/v3/user/{userId}/openid/request_token — a token proving to a third party who the user is.
        v3.MapPost("/user/{userId}/openid/request_token", async (string userId, HttpContext ctx, OpenIdTokenService openId, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            r.EnsureSelf(userId);
            // The body carries nothing yet, but must be JSON when sent, as Synapse checks.
            await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var issued = await openId.RequestAsync(r.UserId, ct);
            return Results.Ok(new
            {
                access_token = issued.AccessToken,
                token_type = "Bearer",
                matrix_server_name = issued.MatrixServerName,
                expires_in = issued.ExpiresInSeconds,
            });
        }).RequireAuthorization();
    }
}
