using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class PublicRoomsEndpoints
{
    private sealed record Filter
    {
        public string? GenericSearchTerm { get; init; }
        public List<string?>? RoomTypes { get; init; }
    }

    // include_all_networks and third_party_instance_id are accepted and ignored: there are no application
    // service networks whose rooms could be listed separately.
    private sealed record Body
    {
        public int? Limit { get; init; }
        public string? Since { get; init; }
        public Filter? Filter { get; init; }
    }

    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/publicRooms
        // No access token required: the spec gives this endpoint no security requirement, and the directory
        // only holds what room admins chose to publish. (Synapse asks for a token unless
        // allow_public_rooms_without_auth is set; POST, which the spec does protect, requires one here too.)
        v3.MapGet("/publicRooms", async (string? limit, string? since, string? server, PublicRoomsService directory, ServerIdentity local, CancellationToken ct) =>
        {
            EnsureLocal(server, local);
            int? pageSize = limit is null ? null : int.TryParse(limit, out var n) ? n : throw MatrixException.InvalidParam("limit must be an integer");
            return Results.Ok(await directory.ListAsync(PublicRoomsFilter.None, Valid(pageSize), since, ct));
        });

        // POST /_matrix/client/v3/publicRooms
        v3.MapPost("/publicRooms", async (string? server, HttpContext ctx, PublicRoomsService directory, ServerIdentity local, CancellationToken ct) =>
        {
            EnsureLocal(server, local);
            var body = JsonBody.Bind<Body>(await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct));
            var filter = new PublicRoomsFilter(body.Filter?.GenericSearchTerm, body.Filter?.RoomTypes);
            return Results.Ok(await directory.ListAsync(filter, Valid(body.Limit), body.Since, ct));
        }).RequireAuthorization();
    }

    private static int? Valid(int? limit) =>
        limit is < 0 ? throw MatrixException.InvalidParam("limit must not be negative") : limit;

    /// <summary>Another server's directory would be fetched over federation, which this server does not do yet.</summary>
    private static void EnsureLocal(string? server, ServerIdentity local)
    {
        if (server is not null && server != local.ServerName)
            throw MatrixException.InvalidParam("Only this server's room directory can be listed");
    }
}
