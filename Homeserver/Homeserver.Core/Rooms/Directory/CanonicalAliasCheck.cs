using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// A local user's <c>m.room.canonical_alias</c> names only aliases that point at the room (spec "m.room.canonical_alias":
/// servers refuse with <c>M_BAD_ALIAS</c> an alias that does not, <c>M_INVALID_PARAM</c> one that is no alias). As in
/// Synapse only what the event adds is checked: the aliases already in the room's current event stay even when they
/// no longer resolve, so removing one of them never needs the others to still exist.
/// </summary>
public sealed class CanonicalAliasCheck(CurrentStateStore current, StateService state, RoomStore rooms, RoomAliasStore aliases,
    IRemoteAliasDirectory remote, ServerIdentity server)
{
    public async Task EnsureValidAsync(RoomId roomId, JsonObject content, CancellationToken ct)
    {
        var version = await rooms.VersionOfAsync(roomId.ToString(), ct);
        var previous = (await state.GetStateEventAsync(await current.GetStateAsync(roomId.ToString(), ct), DirectoryStateTypes.CanonicalAlias, version, ct))?.Content;
        var previousAlias = previous?["alias"] is JsonValue v && v.TryGetValue(out string? a) ? a : null;
        var previousAlt = (previous?["alt_aliases"] as JsonArray)?.Select(n => n is JsonValue s && s.TryGetValue(out string? x) ? x : null)
            .OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];

        switch (content["alias"])
        {
            case null:
                break;
            case JsonValue alias when alias.TryGetValue(out string? text):
                if (text.Length > 0 && text != previousAlias)
                    await EnsurePointsAtAsync(text, roomId, ct);
                break;
            default:
                throw MatrixException.InvalidParam("'alias' must be a string");
        }

        if (!content.ContainsKey("alt_aliases"))
            return;
        if (content["alt_aliases"] is not JsonArray alt)
            throw MatrixException.InvalidParam("'alt_aliases' must be a list");
        foreach (var item in alt)
        {
            if (item is not JsonValue value || !value.TryGetValue(out string? text))
                throw MatrixException.InvalidParam("'alt_aliases' must list aliases");
            if (!previousAlt.Contains(text))
                await EnsurePointsAtAsync(text, roomId, ct);
        }
    }

    private async Task EnsurePointsAtAsync(string text, RoomId roomId, CancellationToken ct)
    {
        if (!RoomAlias.TryParse(text, out var alias))
            throw MatrixException.InvalidParam($"'{text}' is not a room alias");
        var target = alias.Value.ServerName == server.ServerName
            ? (await aliases.GetAsync(text, ct))?.RoomId
            : (await remote.QueryAsync(alias.Value, ct))?.RoomId.ToString();
        if (target != roomId.ToString())
            throw new MatrixException(400, ErrorCodes.BadAlias, $"Room alias {text} does not point to the room");
    }
}
