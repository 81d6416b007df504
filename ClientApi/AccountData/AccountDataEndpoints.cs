using Homeserver.Core.AccountData;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.AccountData;

public static class AccountDataEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("/user/{userId}").RequireAuthorization();

        // GET/PUT /_matrix/client/v3/user/{userId}/account_data/{type}
        g.MapGet("/account_data/{type}", (string userId, string type, HttpContext ctx, AccountDataService accountData, CancellationToken ct) =>
            GetAsync(ctx, accountData, userId, null, type, ct));
        g.MapPut("/account_data/{type}", (string userId, string type, HttpContext ctx, AccountDataService accountData, CancellationToken ct) =>
            PutAsync(ctx, accountData, userId, null, type, ct));

        // GET/PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}
        g.MapGet("/rooms/{roomId}/account_data/{type}", (string userId, string roomId, string type, HttpContext ctx, AccountDataService accountData, CancellationToken ct) =>
            GetAsync(ctx, accountData, userId, ValidRoomId(roomId), type, ct));
        g.MapPut("/rooms/{roomId}/account_data/{type}", (string userId, string roomId, string type, HttpContext ctx, AccountDataService accountData, CancellationToken ct) =>
            PutAsync(ctx, accountData, userId, ValidRoomId(roomId), type, ct));
    }

    private static async Task<IResult> GetAsync(HttpContext ctx, AccountDataService accountData, string userId, string? roomId, string type, CancellationToken ct)
    {
        ctx.GetRequester().EnsureSelf(userId);
        return Results.Text(await accountData.GetAsync(userId, roomId, type, ct), "application/json");
    }

    private static async Task<IResult> PutAsync(HttpContext ctx, AccountDataService accountData, string userId, string? roomId, string type, CancellationToken ct)
    {
        ctx.GetRequester().EnsureSelf(userId);
        AccountDataService.EnsureClientWritable(type);
        var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
        await accountData.PutAsync(userId, roomId, type, body.GetRawText(), ct);
        return Results.Ok(new { });
    }

    private static string ValidRoomId(string roomId) =>
        roomId.StartsWith('!') && roomId.Length > 1 ? roomId : throw MatrixException.InvalidParam($"'{roomId}' is not a room ID");
}
