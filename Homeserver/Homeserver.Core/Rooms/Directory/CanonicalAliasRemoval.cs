using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// A deleted alias leaves the room's <c>m.room.canonical_alias</c>: the event is sent again without it (as <c>alias</c>
/// or among <c>alt_aliases</c>) by whoever deleted it, as Synapse does, so the room stops advertising an alias that
/// resolves nowhere. Someone without the power to send that event (an alias's creator need not have it) still deletes
/// the alias; the event then stays as it was.
/// </summary>
public sealed class CanonicalAliasRemoval(CurrentStateStore current, StateService state, RoomStore rooms, RoomWriteService writes,
    ILogger<CanonicalAliasRemoval> log)
{
    public async Task RemoveAsync(RoomId roomId, UserId sender, string alias, CancellationToken ct)
    {
        var version = await rooms.VersionOfAsync(roomId.ToString(), ct);
        if (await state.GetStateEventAsync(await current.GetStateAsync(roomId.ToString(), ct), DirectoryStateTypes.CanonicalAlias, version, ct) is not { } ev)
            return;
        var content = ev.Content.DeepClone().AsObject();
        var changed = false;
        if (content["alias"] is JsonValue v && v.TryGetValue(out string? main) && main == alias)
            changed = content.Remove("alias");
        // An alt_aliases of another shape is left as it is, as Synapse leaves it.
        if (content["alt_aliases"] is JsonArray alt && alt.Any(IsAlias))
        {
            var kept = new JsonArray(alt.Where(n => !IsAlias(n)).Select(n => n?.DeepClone()).ToArray());
            if (kept.Count > 0)
                content["alt_aliases"] = kept;
            else
                content.Remove("alt_aliases");
            changed = true;
        }
        if (!changed)
            return;
        try
        {
            await writes.SendAsync(roomId, sender, DirectoryStateTypes.CanonicalAlias, "", content, null, ct);
        }
        catch (MatrixException e) when (e.Status == 403)
        {
            log.LogInformation("{UserId} deleted {Alias} but may not update the canonical alias of {RoomId}: {Reason}", sender, alias, roomId, e.Message);
        }

        bool IsAlias(JsonNode? n) => n is JsonValue s && s.TryGetValue(out string? text) && text == alias;
    }
}
