using System.Text.Json;
using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Profile;

public static class ProfileEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/profile/{userId}
        v3.MapGet("/profile/{userId}", async (string userId, ProfileService profiles, CancellationToken ct) =>
        {
            var p = await profiles.GetAsync(Target(userId), ct);
            return Results.Ok(new { displayname = p.Displayname, avatar_url = p.AvatarUrl });
        });

        // GET /_matrix/client/v3/profile/{userId}/{field}
        v3.MapGet("/profile/{userId}/{field}", async (string userId, string field, ProfileService profiles, CancellationToken ct) =>
            Results.Ok(new Dictionary<string, string> { [field] = await profiles.GetFieldAsync(Target(userId), field, ct) }));

        // PUT /_matrix/client/v3/profile/{userId}/{field}
        v3.MapPut("/profile/{userId}/{field}", async (string userId, string field, HttpContext ctx, ProfileService profiles, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            r.EnsureSelf(userId);
            if (r.IsGuest && field != "displayname")
                throw new MatrixException(403, ErrorCodes.GuestAccessForbidden, "Guests may change only their display name");
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var value = body.TryGetProperty(field, out var v) ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Null => null,
                _ => throw MatrixException.BadJson($"'{field}' must be a string"),
            } : throw MatrixException.MissingParam($"Missing '{field}'");
            await profiles.SetOwnFieldAsync(r.UserId, field, value, ct);
            return Results.Ok(new { });
        }).RequireAuthorization().AllowGuests();
    }

    /// <summary>A user ID that cannot exist names no profile: the same 404 as an unknown user.</summary>
    private static UserId Target(string userId) =>
        UserId.TryParse(userId, out var id) ? id.Value : throw MatrixException.NotFound(ProfileService.NotFound);
}
