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
    /// <summary>Types the server manages through their own endpoints; the spec has PUT refuse them.</summary>
    private static readonly string[] ServerManagedTypes = ["m.fully_read", "m.push_rules"];

    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("/user/{userId}").RequireAuthorization();

        // GET/PUT /_matrix/client/v3/user/{userId}/account_data/{type}
        g.MapGet("/account_data/{type}", (string userId, string type, HttpContext ctx, AccountDataStore store, CancellationToken ct) =>
            GetAsync(ctx, store, userId, null, type, ct));
        g.MapPut("/account_data/{type}", (string userId, string type, HttpContext ctx, AccountDataStore store, CancellationToken ct) =>
            PutAsync(ctx, store, userId, null, type, ct));

        // GET/PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}
        g.MapGet("/rooms/{roomId}/account_data/{type}", (string userId, string roomId, string type, HttpContext ctx, AccountDataStore store, CancellationToken ct) =>
            GetAsync(ctx, store, userId, ValidRoomId(roomId), type, ct));
        g.MapPut("/rooms/{roomId}/account_data/{type}", (string userId, string roomId, string type, HttpContext ctx, AccountDataStore store, CancellationToken ct) =>
            PutAsync(ctx, store, userId, ValidRoomId(roomId), type, ct));
    }

    private static async Task<IResult> GetAsync(HttpContext ctx, AccountDataStore store, string userId, string? roomId, string type, CancellationToken ct)
    {
        ctx.GetRequester().EnsureSelf(userId);
        var json = await store.GetAsync(userId, roomId, type, ct) ?? throw MatrixException.NotFound("Account data not found");
        return Results.Text(json, "application/json");
    }

    private static async Task<IResult> PutAsync(HttpContext ctx, AccountDataStore store, string userId, string? roomId, string type, CancellationToken ct)
    {
        ctx.GetRequester().EnsureSelf(userId);
        if (ServerManagedTypes.Contains(type))
            throw new MatrixException(405, ErrorCodes.BadJson, $"Cannot set {type} through this API");
        var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
        await store.PutAsync(userId, roomId, type, body.GetRawText(), ct);
        return Results.Ok(new { });
    }

    private static string ValidRoomId(string roomId) =>
        roomId.StartsWith('!') && roomId.Length > 1 ? roomId : throw MatrixException.InvalidParam($"'{roomId}' is not a room ID");
}
