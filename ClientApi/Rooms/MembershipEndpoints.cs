using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.ThirdPartyInvites;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class MembershipEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("").RequireAuthorization();

        // POST /_matrix/client/v3/rooms/{roomId}/join
        g.MapPost("/rooms/{roomId}/join", async (string roomId, HttpContext ctx, MembershipService members, ThirdPartyInviteService thirdParty,
            CancellationToken ct) =>
        {
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            await RedeemAsync(RoomPaths.RoomId(roomId), ctx, body, thirdParty, ct);
            await members.JoinAsync(RoomPaths.RoomId(roomId), ctx.GetRequester().UserId, ct, extra: JsonObject.Create(body));
            return Results.Ok(new { room_id = roomId });
        }).RequireRateLimiting(RateLimitPolicies.Join).AllowGuests();

        // POST /_matrix/client/v3/join/{roomIdOrAlias}
        g.MapPost("/join/{roomIdOrAlias}", async (string roomIdOrAlias, HttpContext ctx, MembershipService members, RoomAliasService aliases,
            ThirdPartyInviteService thirdParty, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var (roomId, servers) = await ResolveAsync(roomIdOrAlias, ctx, aliases, ct);
            await RedeemAsync(roomId, ctx, body, thirdParty, ct);
            await members.JoinAsync(roomId, ctx.GetRequester().UserId, ct, servers, JsonObject.Create(body));
            return Results.Ok(new { room_id = roomId });
        }).RequireRateLimiting(RateLimitPolicies.Join).AllowGuests();

        // POST /_matrix/client/v3/knock/{roomIdOrAlias}
        g.MapPost("/knock/{roomIdOrAlias}", async (string roomIdOrAlias, HttpContext ctx, MembershipService members, RoomAliasService aliases, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            var (roomId, servers) = await ResolveAsync(roomIdOrAlias, ctx, aliases, ct);
            await members.KnockAsync(roomId, ctx.GetRequester().UserId, RoomPaths.OptionalString(body, "reason"), ct, servers);
            return Results.Ok(new { room_id = roomId });
        }).RequireRateLimiting(RateLimitPolicies.Join);

        // POST /_matrix/client/v3/rooms/{roomId}/leave
        g.MapPost("/rooms/{roomId}/leave", async (string roomId, HttpContext ctx, MembershipService members, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadOptionalObjectAsync(ctx.Request, ct);
            await members.LeaveAsync(RoomPaths.RoomId(roomId), ctx.GetRequester().UserId, RoomPaths.OptionalString(body, "reason"), ct);
            return Results.Ok(new { });
        }).AllowGuests();

        // POST /_matrix/client/v3/rooms/{roomId}/invite — limited on its own: invites are how spam reaches strangers.
        // With medium and address instead of user_id, it invites by third-party identifier.
        g.MapPost("/rooms/{roomId}/invite", async (string roomId, HttpContext ctx, MembershipService members, ThirdPartyInviteService thirdParty,
            CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            if (RoomPaths.OptionalString(body, "user_id") is null && RoomPaths.OptionalString(body, "medium") is not null)
            {
                await thirdParty.InviteAsync(RoomPaths.RoomId(roomId), ctx.GetRequester().UserId, ThreepidInvites.Read(body), ct);
                return Results.Ok(new { });
            }
            return await ActOnMemberAsync(roomId, "invite", body, ctx, members, ct);
        }).RequireRateLimiting(RateLimitPolicies.Invite);

        // POST /_matrix/client/v3/rooms/{roomId}/kick | ban | unban — events like any other the client sends. Leaving
        // is not limited: it cannot be repeated without a (limited) join, and a user must always be able to leave.
        g.MapPost("/rooms/{roomId}/{action:regex(^(kick|ban|unban)$)}", (string roomId, string action, HttpContext ctx, MembershipService members, CancellationToken ct) =>
            ActOnMemberAsync(roomId, action, ctx, members, ct)).RequireRateLimiting(RateLimitPolicies.Message);

        // GET /_matrix/client/v3/joined_rooms
        g.MapGet("/joined_rooms", async (HttpContext ctx, RoomReadService reads, CancellationToken ct) =>
            Results.Ok(new { joined_rooms = await reads.JoinedRoomsAsync(ctx.GetRequester().UserId, ct) })).AllowGuests();
    }

    private static async Task<IResult> ActOnMemberAsync(string roomId, string action, HttpContext ctx, MembershipService members, CancellationToken ct) =>
        await ActOnMemberAsync(roomId, action, await JsonBody.ReadObjectAsync(ctx.Request, ct), ctx, members, ct);

    private static async Task<IResult> ActOnMemberAsync(string roomId, string action, JsonElement body, HttpContext ctx, MembershipService members, CancellationToken ct)
    {
        var target = RoomPaths.UserId(RoomPaths.OptionalString(body, "user_id") ?? throw MatrixException.MissingParam("Missing user_id"));
        var reason = RoomPaths.OptionalString(body, "reason");
        var sender = ctx.GetRequester().UserId;
        var room = RoomPaths.RoomId(roomId);
        await (action switch
        {
            "invite" => members.InviteAsync(room, sender, target, reason, isDirect: false, ct),
            "kick" => members.KickAsync(room, sender, target, reason, ct),
            "ban" => members.BanAsync(room, sender, target, reason, ct),
            _ => members.UnbanAsync(room, sender, target, reason, ct),
        });
        return Results.Ok(new { });
    }

    /// <summary>A join that redeems a third-party invite (<c>third_party_signed</c>) first becomes the invite it redeems.</summary>
    private static async Task RedeemAsync(RoomId roomId, HttpContext ctx, JsonElement body, ThirdPartyInviteService thirdParty, CancellationToken ct)
    {
        if (body.TryGetProperty("third_party_signed", out var signed))
            await thirdParty.ExchangeAsync(roomId, ctx.GetRequester().UserId, signed.ValueKind == JsonValueKind.Object ? JsonObject.Create(signed)!
                : throw MatrixException.BadJson("third_party_signed must be an object"), ct);
    }

    /// <summary>
    /// The room, and the servers to reach it through when it is held elsewhere: the <c>via</c> and (its older name)
    /// <c>server_name</c> parameters, then the servers an alias's server named.
    /// </summary>
    private static async Task<(RoomId RoomId, IReadOnlyList<string> Servers)> ResolveAsync(string roomIdOrAlias, HttpContext ctx,
        RoomAliasService aliases, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var servers = query["via"].Concat(query["server_name"]).OfType<string>().ToList();
        if (!roomIdOrAlias.StartsWith('#'))
            return (RoomPaths.RoomId(roomIdOrAlias), servers);
        var resolved = await aliases.LookupAsync(roomIdOrAlias, ct);
        return (resolved.RoomId, [.. servers, .. resolved.Servers]);
    }
}
