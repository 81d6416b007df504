using Homeserver.Http.Auth;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class PublicRoomsEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/publicRooms
        // No access token required for our own directory: the spec gives this endpoint no security requirement, and
        // the directory only holds what room admins chose to publish. (Synapse asks for a token unless
        // allow_public_rooms_without_auth is set; POST, which the spec does protect, requires one here too.)
        v3.MapGet("/publicRooms", async (HttpContext ctx, string? server, PublicRoomsService directory, IRemotePublicRooms remote,
            ServerIdentity local, CancellationToken ct) =>
        {
            var request = PublicRoomsRequest.FromQuery(name => ctx.Request.Query.TryGetValue(name, out var value) ? value.ToString() : null);
            if (IsRemote(server, local))
            {
                // Asking another server is done for users only, as Synapse does, so that anyone cannot make us send requests.
                _ = ctx.GetRequester();
                return Results.Ok(await remote.ListAsync(server!, request, ct));
            }
            return Results.Ok(await directory.ListAsync(request, ct));
        });

        // POST /_matrix/client/v3/publicRooms
        v3.MapPost("/publicRooms", async (string? server, HttpContext ctx, PublicRoomsService directory, IRemotePublicRooms remote,
            ServerIdentity local, CancellationToken ct) =>
        {
            var request = JsonBody.Bind<PublicRoomsRequest>(await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct));
            return IsRemote(server, local)
                ? Results.Ok(await remote.ListAsync(server!, request, ct))
                : Results.Ok(await directory.ListAsync(request, ct));
        }).RequireAuthorization().AllowGuests();
    }

    private static bool IsRemote(string? server, ServerIdentity local)
    {
        if (server is null || server == local.ServerName)
            return false;
        return ServerNames.IsValid(server) ? true : throw MatrixException.InvalidParam("server is not a valid server name");
    }
}
