using System.Text.Json;
using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Profile;

public static class ProfileEndpoints
{
    /// <summary>Synapse's caps, which other servers and clients already live within (checklist row 11).</summary>
    public const int MaxDisplaynameLength = 256;
    public const int MaxAvatarUrlLength = 1000;

    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/profile/{userId}
        v3.MapGet("/profile/{userId}", async (string userId, UserStore users, CancellationToken ct) =>
        {
            var u = await FindAsync(users, userId, ct);
            return Results.Ok(new { displayname = u.Displayname, avatar_url = u.AvatarUrl });
        });

        // GET /_matrix/client/v3/profile/{userId}/{field}
        v3.MapGet("/profile/{userId}/{field}", async (string userId, string field, UserStore users, CancellationToken ct) =>
        {
            var u = await FindAsync(users, userId, ct);
            var value = field switch
            {
                "displayname" => u.Displayname,
                "avatar_url" => u.AvatarUrl,
                _ => throw MatrixException.NotFound($"Profile field '{field}' not found"),
            };
            return value is null
                ? throw MatrixException.NotFound($"Profile field '{field}' not set")
                : Results.Ok(new Dictionary<string, string> { [field] = value });
        });

        // PUT /_matrix/client/v3/profile/{userId}/{field}
        v3.MapPut("/profile/{userId}/{field}", async (string userId, string field, HttpContext ctx, UserStore users, CancellationToken ct) =>
        {
            ctx.GetRequester().EnsureSelf(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var value = body.TryGetProperty(field, out var v) ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Null => null,
                _ => throw MatrixException.BadJson($"'{field}' must be a string"),
            } : throw MatrixException.MissingParam($"Missing '{field}'");
            switch (field)
            {
                case "displayname":
                    if (value is { Length: > MaxDisplaynameLength })
                        throw MatrixException.InvalidParam($"displayname is longer than {MaxDisplaynameLength} characters");
                    await users.SetDisplaynameAsync(userId, value, ct);
                    break;
                case "avatar_url":
                    if (value is { Length: > MaxAvatarUrlLength })
                        throw MatrixException.InvalidParam($"avatar_url is longer than {MaxAvatarUrlLength} characters");
                    if (value is { Length: > 0 } && !value.StartsWith("mxc://", StringComparison.Ordinal))
                        throw MatrixException.InvalidParam("avatar_url must be an mxc:// URI");
                    await users.SetAvatarUrlAsync(userId, value, ct);
                    break;
                default:
                    throw new MatrixException(400, ErrorCodes.Unrecognized, $"Profile field '{field}' is not supported");
            }
            return Results.Ok(new { });
        }).RequireAuthorization();
    }

    private static async Task<UserRecord> FindAsync(UserStore users, string userId, CancellationToken ct) =>
        await users.GetAsync(userId, ct) is { IsDeactivated: false } u ? u : throw MatrixException.NotFound("Profile not found");
}
