using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Creation;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Homeserver.Http.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class CreateRoomEndpoints
{
    private sealed record InitialState(string Type, string? StateKey, JsonElement Content);

    private sealed record Body
    {
        public string? Preset { get; init; }
        public string? Visibility { get; init; }
        public string? RoomAliasName { get; init; }
        public string? Name { get; init; }
        public string? Topic { get; init; }
        public List<string>? Invite { get; init; }
        [System.Text.Json.Serialization.JsonPropertyName("invite_3pid")]
        public List<JsonElement>? Invite3pid { get; init; }
        public List<InitialState>? InitialState { get; init; }
        public string? RoomVersion { get; init; }
        public JsonElement? CreationContent { get; init; }
        public JsonElement? PowerLevelContentOverride { get; init; }
        public bool IsDirect { get; init; }
    }

    public static void Map(RouteGroupBuilder v3)
    {
        // POST /_matrix/client/v3/createRoom
        v3.MapPost("/createRoom", async (HttpContext ctx, RoomCreationService creation, CancellationToken ct) =>
        {
            var raw = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var body = JsonBody.Bind<Body>(raw);
            if (body.Visibility is not (null or "public" or "private"))
                throw MatrixException.InvalidParam("visibility must be public or private");
            var request = new CreateRoomRequest
            {
                Preset = body.Preset,
                Visibility = body.Visibility,
                RoomAliasName = body.RoomAliasName,
                Name = body.Name,
                Topic = body.Topic,
                Invite = (body.Invite ?? []).Select(RoomPaths.UserId).ToList(),
                Invite3pid = (body.Invite3pid ?? []).Select(ThreepidInvites.Read).ToList(),
                InitialState = (body.InitialState ?? []).Select(s => new InitialStateEvent(s.Type, s.StateKey ?? "", RoomPaths.Content(s.Content))).ToList(),
                RoomVersion = body.RoomVersion,
                CreationContent = Object(body.CreationContent, "creation_content"),
                PowerLevelContentOverride = Object(body.PowerLevelContentOverride, "power_level_content_override"),
                IsDirect = body.IsDirect,
                CreatedByAppService = ctx.GetRequester().AppServiceId,
            };
            var roomId = await creation.CreateAsync(ctx.GetRequester().UserId, request, ct);
            return Results.Ok(new { room_id = roomId });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.RoomCreation);

        // POST /_matrix/client/v3/rooms/{roomId}/upgrade
        v3.MapPost("/rooms/{roomId}/upgrade", async (string roomId, HttpContext ctx, RoomUpgradeService upgrades, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var version = RoomPaths.OptionalString(body, "new_version") ?? throw MatrixException.MissingParam("Missing new_version");
            var replacement = await upgrades.UpgradeAsync(ctx.GetRequester().UserId, RoomPaths.RoomId(roomId), version, ct);
            return Results.Ok(new { replacement_room = replacement });
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.RoomCreation);
    }

    private static JsonObject? Object(JsonElement? e, string name) => e switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } o => RoomPaths.Content(o),
        { ValueKind: JsonValueKind.Null } => null,
        _ => throw MatrixException.BadJson($"{name} must be an object"),
    };
}
