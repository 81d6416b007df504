using System.Text.Json.Nodes;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Sync;

/// <summary>
/// Which rooms have a name or a canonical alias, by which clients name them: the others need <c>m.heroes</c> in their
/// sync summary (spec "Calculating the display name for a room"); a named room's summary leaves them out, as Synapse's does.
/// </summary>
public sealed class NamedRooms(CurrentStateStore current, EventStore events)
{
    private static readonly string[] NamingTypes = ["m.room.name", "m.room.canonical_alias"];

    public async Task<IReadOnlySet<string>> AmongAsync(IReadOnlyCollection<string> roomIds, CancellationToken ct)
    {
        var entries = await current.StateOfRoomsAsync(roomIds, NamingTypes, ct);
        var naming = entries.Where(e => e.Key == "").ToList();
        if (naming.Count == 0)
            return new HashSet<string>();
        var rows = await events.GetManyAsync(naming.Select(e => e.EventId).ToList(), ct);
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in naming)
        {
            // An emptied name or alias names nothing.
            var content = rows.TryGetValue(entry.EventId, out var row) ? JsonNode.Parse(row.Json)?["content"] : null;
            if (!string.IsNullOrEmpty(JsonFields.String(content, entry.Type == "m.room.name" ? "name" : "alias")))
                named.Add(entry.RoomId);
        }
        return named;
    }
}
