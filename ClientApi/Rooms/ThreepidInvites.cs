using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.ThirdPartyInvites;

namespace ClientApi.Rooms;

/// <summary>An invite by third-party identifier as clients send it, to <c>/invite</c> or in createRoom's <c>invite_3pid</c>.</summary>
internal static class ThreepidInvites
{
    public static ThreepidInvite Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("A third-party invite must be an object");
        return new ThreepidInvite(Required(body, "id_server"), Required(body, "id_access_token"), Required(body, "medium"), Required(body, "address"));
    }

    private static string Required(JsonElement body, string key) =>
        RoomPaths.OptionalString(body, key) ?? throw MatrixException.MissingParam($"Missing {key}");
}
