using Homeserver.Core.AccountData;
using ClientApi.Rooms;
using Homeserver.Core.Identifiers;
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
            GetAsync(ctx, accountData, userId, RoomPaths.RoomId(roomId), type, ct));
        g.MapPut("/rooms/{roomId}/account_data/{type}", (string userId, string roomId, string type, HttpContext ctx, AccountDataService accountData, CancellationToken ct) =>
            PutAsync(ctx, accountData, userId, RoomPaths.RoomId(roomId), type, ct));
    }

    private static async Task<IResult> GetAsync(HttpContext ctx, AccountDataService accountData, string userId, RoomId? roomId, string type, CancellationToken ct)
    {
        var r = ctx.GetRequester();
        r.EnsureSelf(userId);
        return Results.Text(await accountData.GetAsync(r.UserId, roomId, type, ct), "application/json");
    }

    private static async Task<IResult> PutAsync(HttpContext ctx, AccountDataService accountData, string userId, RoomId? roomId, string type, CancellationToken ct)
    {
        var r = ctx.GetRequester();
        r.EnsureSelf(userId);
        AccountDataService.EnsureClientWritable(type);
        var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
        await accountData.PutAsync(r.UserId, roomId, type, body.GetRawText(), ct);
        return Results.Ok(new { });
    }
}
