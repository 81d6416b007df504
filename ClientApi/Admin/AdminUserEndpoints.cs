using System.Text.Json;
using Homeserver.Core.Admin.Users;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Http.Admin;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>Synapse's admin API for accounts: the list, one account, create and edit, deactivation, passwords, suspension and shadow bans.</summary>
public static class AdminUserEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        // GET /_synapse/admin/v2/users: deactivated users only when asked (deactivated=true includes them).
        admin.MapGet("/v2/users", (HttpContext ctx, UserAdminService users, CancellationToken ct) =>
            ListAsync(ctx, users, AdminQuery.Bool(ctx, "deactivated") == true ? null : false, ct));

        // GET /_synapse/admin/v3/users: deactivated is a filter, true for only those, false for none of them.
        admin.MapGet("/v3/users", (HttpContext ctx, UserAdminService users, CancellationToken ct) =>
            ListAsync(ctx, users, AdminQuery.Bool(ctx, "deactivated"), ct));

        // GET /_synapse/admin/v2/users/{userId}
        admin.MapGet("/v2/users/{userId}", async (string userId, UserAdminService users, CancellationToken ct) =>
            Results.Ok(AdminUserJson.Details(await users.GetAsync(UserId.Parse(userId), ct))));

        // PUT /_synapse/admin/v2/users/{userId}: 201 when it created the account, 200 when it changed one.
        admin.MapPut("/v2/users/{userId}", async (string userId, HttpContext ctx, UserAdminService users, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var (user, created) = await users.PutAsync(ctx.GetRequester().UserId, target, ReadEdit(body), ct);
            return Results.Json(AdminUserJson.Details(user), statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        });

        // POST /_synapse/admin/v1/deactivate/{userId}: an empty body is allowed.
        admin.MapPost("/v1/deactivate/{userId}", async (string userId, HttpContext ctx, UserAdminService users, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var erase = AdminBody.Bool(body, "erase");
            await users.DeactivateAsync(ctx.GetRequester().UserId, target, erase.IsSet && erase.Value, ct);
            return Results.Ok(new { id_server_unbind_result = "success" });
        });

        // POST /_synapse/admin/v1/reset_password/{userId}
        admin.MapPost("/v1/reset_password/{userId}", async (string userId, HttpContext ctx, UserAdminService users, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var password = AdminBody.String(body, "new_password");
            if (!password.IsSet)
                throw MatrixException.MissingParam("Missing param new_password");
            var logout = AdminBody.Bool(body, "logout_devices");
            await users.ResetPasswordAsync(target, password.Value, !logout.IsSet || logout.Value, ct);
            return Results.Ok(new { });
        });

        // PUT /_synapse/admin/v1/suspend/{userId}
        admin.MapPut("/v1/suspend/{userId}", async (string userId, HttpContext ctx, UserAdminService users, CancellationToken ct) =>
        {
            var target = UserId.Parse(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var suspend = AdminBody.Bool(body, "suspend");
            if (!suspend.IsSet)
                throw MatrixException.MissingParam("Missing param suspend");
            await users.SetSuspendedAsync(target, suspend.Value, ct);
            return Results.Ok(new Dictionary<string, object> { [$"user_{target}_suspended"] = suspend.Value });
        });

        // POST and DELETE /_synapse/admin/v1/users/{userId}/shadow_ban
        admin.MapPost("/v1/users/{userId}/shadow_ban", async (string userId, UserAdminService users, CancellationToken ct) =>
        {
            await users.SetShadowBannedAsync(UserId.Parse(userId), true, ct);
            return Results.Ok(new { });
        });
        admin.MapDelete("/v1/users/{userId}/shadow_ban", async (string userId, UserAdminService users, CancellationToken ct) =>
        {
            await users.SetShadowBannedAsync(UserId.Parse(userId), false, ct);
            return Results.Ok(new { });
        });

        // GET /_synapse/admin/v1/username_available?username=: whether registration is open or not.
        admin.MapGet("/v1/username_available", async (HttpContext ctx, UserAdminService users, CancellationToken ct) =>
        {
            var username = AdminQuery.String(ctx, "username") ?? throw MatrixException.MissingParam("Missing string query parameter 'username'");
            await users.EnsureUsernameAvailableAsync(username, ct);
            return Results.Ok(new { available = true });
        });
    }

    private static async Task<IResult> ListAsync(HttpContext ctx, UserAdminService users, bool? deactivated, CancellationToken ct)
    {
        var (from, limit) = AdminQuery.Page(ctx);
        var name = AdminQuery.String(ctx, "name");
        var query = new UserListQuery(
            from, limit,
            UserIdContains: AdminQuery.String(ctx, "user_id"),
            Name: string.IsNullOrEmpty(name) ? null : name,
            Guests: AdminQuery.Bool(ctx, "guests") ?? true,
            Admins: AdminQuery.Bool(ctx, "admins"),
            Deactivated: deactivated,
            NotUserTypes: ctx.Request.Query["not_user_type"].OfType<string>().ToList(),
            OrderBy: AdminQuery.OneOf(ctx, "order_by", "name", UserListQuery.OrderColumns.Keys),
            Backwards: AdminQuery.Backwards(ctx));
        var page = await users.ListAsync(query, ct);
        var body = new Dictionary<string, object?>
        {
            ["users"] = page.Users.Select(AdminUserJson.ListItem),
            ["total"] = page.Total,
        };
        if (AdminQuery.NextToken(from, page.Users.Count, page.Total, asString: true) is { } next)
            body["next_token"] = next;
        return Results.Ok(body);
    }

    private static UserEdit ReadEdit(JsonElement body)
    {
        var threepids = body.TryGetProperty("threepids", out var t)
            ? Optional.Of<IReadOnlyList<(string, string)>>(ReadThreepids(t))
            : default;
        var logout = AdminBody.Bool(body, "logout_devices");
        return new UserEdit(
            AdminBody.String(body, "password"),
            LogoutDevices: !logout.IsSet || logout.Value,
            AdminBody.String(body, "displayname"),
            AdminBody.String(body, "avatar_url"),
            AdminBody.Bool(body, "admin"),
            AdminBody.Bool(body, "deactivated"),
            AdminBody.NullableString(body, "user_type"),
            threepids);
    }

    private static List<(string, string)> ReadThreepids(JsonElement list)
    {
        if (list.ValueKind != JsonValueKind.Array)
            throw MatrixException.InvalidParam("'threepids' must be a list");
        var result = new List<(string, string)>();
        foreach (var item in list.EnumerateArray())
        {
            var medium = item.ValueKind == JsonValueKind.Object ? AdminBody.String(item, "medium") : default;
            var address = item.ValueKind == JsonValueKind.Object ? AdminBody.String(item, "address") : default;
            if (!medium.IsSet || !address.IsSet)
                throw MatrixException.InvalidParam("Each threepid needs a medium and an address");
            result.Add((medium.Value, address.Value));
        }
        return result;
    }
}
