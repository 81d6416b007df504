using Homeserver.Http.FederationAuth;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Query;

public static class ProfileQueryEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        // GET /_matrix/federation/v1/query/profile — a local user's profile, or one field of it, for another server.
        v1.MapGet("/query/profile", async (string? user_id, string? field, HttpContext ctx, ServerIdentity server, ProfileService profiles, CancellationToken ct) =>
        {
            // Any authenticated server may ask (profiles are public to federation); reading the origin fails loudly if
            // this endpoint were ever mapped outside the authenticated group.
            _ = ctx.GetFederationOrigin();
            if (user_id is null)
                throw MatrixException.MissingParam("Missing 'user_id'");
            var userId = UserId.Parse(user_id);
            if (userId.ServerName != server.ServerName)
                throw MatrixException.InvalidParam($"{userId} is not a user of this server");
            if (field is not null)
            {
                if (field is not (ProfileService.Displayname or ProfileService.AvatarUrl))
                    throw MatrixException.InvalidParam($"'{field}' is not a profile field");
                return Results.Ok(new Dictionary<string, string> { [field] = await profiles.GetFieldAsync(userId, field, ct) });
            }
            var p = await profiles.GetAsync(userId, ct);
            return Results.Ok(new { displayname = p.Displayname, avatar_url = p.AvatarUrl });
        });
    }
}
