using Homeserver.Core.Events;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Reads;

/// <summary>
/// Walks of a room's history for another server (<c>/backfill</c>, <c>/get_missing_events</c>,
/// <c>/timestamp_to_event</c>), for a server that may read the room; events it may not see come redacted.
/// </summary>
public sealed class FederationHistoryReads(EventStore events, EventGraphStore graph, FederationRoomAccess access)
{
    /// <summary>Synapse's caps: a backfill asks for 100 events at most, a gap is filled 20 at a time.</summary>
    public const int MaxBackfill = 100;
    public const int MaxMissingEvents = 20;
    public const int DefaultMissingEvents = 10;

    /// <summary>The given events and those before them, newest first.</summary>
    public async Task<IReadOnlyList<JsonObject>> BackfillAsync(string origin, RoomId roomId, IReadOnlyList<EventId> from, int limit, CancellationToken ct)
    {
        var version = await access.EnterAsync(roomId, origin, ct);
        var inRoom = await access.EnsureMaySeeRoomAsync(origin, roomId, version, ct);
        var dag = new StoredEventDag(graph, roomId.ToString());
        var nodes = await BackfillWalk.RunAsync(dag, from.Select(e => e.ToString()), Math.Min(limit, MaxBackfill), ct);
        return await FormatAsync(origin, version, nodes, inRoom, ct);
    }

    /// <summary>The events between what the server holds and its latest events, oldest first.</summary>
    public async Task<IReadOnlyList<JsonObject>> MissingEventsAsync(string origin, RoomId roomId, IReadOnlyList<EventId> earliest,
        IReadOnlyList<EventId> latest, int limit, long minDepth, CancellationToken ct)
    {
        var version = await access.EnterAsync(roomId, origin, ct);
        var inRoom = await access.EnsureMaySeeRoomAsync(origin, roomId, version, ct);
        var dag = new StoredEventDag(graph, roomId.ToString());
        var nodes = await MissingEventsWalk.RunAsync(dag, earliest.Select(e => e.ToString()), latest.Select(e => e.ToString()),
            Math.Min(limit, MaxMissingEvents), minDepth, ct);
        return await FormatAsync(origin, version, nodes, inRoom, ct);
    }

    /// <summary>
    /// The room's event closest to <paramref name="ts"/> in the direction given. Only its ID and timestamp are told,
    /// which a server that may read the room learns of every event anyway (redacted events keep both).
    /// </summary>
    public async Task<(string EventId, long OriginServerTs)> ClosestEventAsync(string origin, RoomId roomId, long ts, bool forwards, CancellationToken ct)
    {
        var version = await access.EnterAsync(roomId, origin, ct);
        await access.EnsureMaySeeRoomAsync(origin, roomId, version, ct);
        var node = await graph.ClosestToAsync(roomId.ToString(), ts, forwards, ct)
            ?? throw MatrixException.NotFound($"Unable to find event from {ts} in {(forwards ? "forward" : "backward")} direction");
        return (node.EventId, node.OriginServerTs);
    }

    private async Task<IReadOnlyList<JsonObject>> FormatAsync(string origin, RoomVersion version, IReadOnlyList<EventGraphStore.Node> nodes,
        bool inRoom, CancellationToken ct)
    {
        var rows = await events.GetManyAsync(nodes.Select(n => n.EventId).ToList(), ct);
        return await access.FormatAsync(origin, version, nodes.Select(n => rows[n.EventId]).ToList(), inRoom, ct);
    }
}
