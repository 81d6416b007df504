using Homeserver.Http.Auth;
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

    private sealed record Body
    {
        public int? Limit { get; init; }
        public string? Since { get; init; }
        public Filter? Filter { get; init; }
        public bool? IncludeAllNetworks { get; init; }
        public string? ThirdPartyInstanceId { get; init; }
    }

    public static void Map(RouteGroupBuilder v3)
    {
        // GET /_matrix/client/v3/publicRooms
        // No access token required: the spec gives this endpoint no security requirement, and the directory
        // only holds what room admins chose to publish. (Synapse asks for a token unless
        // allow_public_rooms_without_auth is set; POST, which the spec does protect, requires one here too.)
        // The spec gives GET no network parameters; like Synapse it takes the POST body's two as query parameters.
        v3.MapGet("/publicRooms", async (HttpContext ctx, string? limit, string? since, string? server, PublicRoomsService directory, ServerIdentity local, CancellationToken ct) =>
        {
            EnsureLocal(server, local);
            int? pageSize = limit is null ? null : int.TryParse(limit, out var n) ? n : throw MatrixException.InvalidParam("limit must be an integer");
            var query = ctx.Request.Query;
            var allNetworks = query["include_all_networks"].ToString() switch
            {
                "" or "false" => false,
                "true" => true,
                _ => throw MatrixException.InvalidParam("include_all_networks must be true or false"),
            };
            var instance = query.TryGetValue("third_party_instance_id", out var id) ? id.ToString() : null;
            var scope = PublicRoomsScope.From(allNetworks, instance);
            return Results.Ok(await directory.ListAsync(scope, PublicRoomsFilter.None, Valid(pageSize), since, ct));
        });

        // POST /_matrix/client/v3/publicRooms
        v3.MapPost("/publicRooms", async (string? server, HttpContext ctx, PublicRoomsService directory, ServerIdentity local, CancellationToken ct) =>
        {
            EnsureLocal(server, local);
            var body = JsonBody.Bind<Body>(await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct));
            var filter = new PublicRoomsFilter(body.Filter?.GenericSearchTerm, body.Filter?.RoomTypes);
            var scope = PublicRoomsScope.From(body.IncludeAllNetworks ?? false, body.ThirdPartyInstanceId);
            return Results.Ok(await directory.ListAsync(scope, filter, Valid(body.Limit), body.Since, ct));
        }).RequireAuthorization().AllowGuests();
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
