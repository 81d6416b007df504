using System.Text.Json.Nodes;
using ClientApi.Push;
using Homeserver.Core.Admin.Users;
using Homeserver.Core.Identifiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>Synapse's admin API for what an account is in and holds: rooms, memberships, pushers and account data.</summary>
public static class AdminUserDataEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        // GET /_synapse/admin/v1/users/{userId}/joined_rooms
        admin.MapGet("/v1/users/{userId}/joined_rooms", async (string userId, UserDataAdminService data, CancellationToken ct) =>
        {
            var rooms = await data.JoinedRoomsAsync(UserId.Parse(userId), ct);
            return Results.Ok(new { joined_rooms = rooms, total = rooms.Count });
        });

        // GET /_synapse/admin/v1/users/{userId}/memberships
        admin.MapGet("/v1/users/{userId}/memberships", async (string userId, UserDataAdminService data, CancellationToken ct) =>
            Results.Ok(new { memberships = await data.MembershipsAsync(UserId.Parse(userId), ct) }));

        // GET /_synapse/admin/v1/users/{userId}/pushers
        admin.MapGet("/v1/users/{userId}/pushers", async (string userId, UserDataAdminService data, CancellationToken ct) =>
        {
            var pushers = await data.PushersAsync(UserId.Parse(userId), ct);
            return Results.Ok(new { pushers = pushers.Select(PusherEndpoints.Describe), total = pushers.Count });
        });

        // GET /_synapse/admin/v1/users/{userId}/accountdata
        admin.MapGet("/v1/users/{userId}/accountdata", async (string userId, UserDataAdminService data, CancellationToken ct) =>
        {
            var global = new JsonObject();
            var rooms = new JsonObject();
            foreach (var entry in await data.AccountDataAsync(UserId.Parse(userId), ct))
            {
                var content = JsonNode.Parse(entry.Content);
                if (entry.RoomId.Length == 0)
                    global[entry.DataType] = content;
                else
                    ((JsonObject)(rooms[entry.RoomId] ??= new JsonObject()))[entry.DataType] = content;
            }
            var body = new JsonObject { ["account_data"] = new JsonObject { ["global"] = global, ["rooms"] = rooms } };
            return Results.Text(body.ToJsonString(), "application/json");
        });
    }
}
