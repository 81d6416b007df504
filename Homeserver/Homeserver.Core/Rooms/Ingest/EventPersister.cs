using System.Diagnostics;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Observability;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Relations;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// The last step of <see cref="EventIngest"/>: writes one event and everything derived from it in a single
/// transaction (its place in the timeline stream, the DAG edges and extremities, the state snapshot after it,
/// current state and the membership index, the client's transaction ID, and the other domains'
/// <see cref="IEventTransactionStep"/>s), then publishes it on the events stream. A crash leaves all of it or none
/// of it. A soft-failed event is kept aside instead, outside the timeline. A backfilled event
/// (<see cref="IngestContext.BackfillOrdering"/>) is written with its state and edges at its given position, and nothing
/// else: the room's present is not its business.
/// </summary>
public sealed class EventPersister(StreamPublisher streams, SnapshotMembers members, IEnumerable<IEventTransactionStep> steps,
    SetAsideEventStore setAside, TimeProvider time, LiveActivity live)
{
    public sealed record Persisted(long StreamOrdering, long StateGroup);

    /// <summary>Persists the event; null for a soft-failed one, which is stored aside and published to no one.</summary>
    public async Task<Persisted?> PersistAsync(IngestContext ctx, CancellationToken ct)
    {
        var pdu = ctx.Event;
        if (ctx.SoftFailReason is { } reason)
        {
            await setAside.InsertAsync(SetAside.SoftFailed, pdu, reason, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            return null;
        }
        var stateGroupBefore = ctx.StateBefore?.Group;
        if (ctx.BackfillOrdering is not null)
            return await streams.WriteAsync(st => WriteAsync(st, ctx, ct), ct);
        var writes = new List<Func<StreamTransaction, long, Task>>();
        foreach (var step in steps)
            if (await step.PrepareAsync(ctx, ct) is { } write)
                writes.Add(write);
        var audience = await AudienceAsync(pdu, stateGroupBefore, ct);
        using var activity = HomeserverTelemetry.Source.StartActivity("event persist");
        var start = Stopwatch.GetTimestamp();
        var result = await streams.WriteAsync(async st =>
        {
            // Serialises the room's writers across nodes: the extremities and current state each write replaces
            // are read and replaced inside this lock (SQLite has one writer already).
            await RoomStore.LockAsync(st.Connection, st.Transaction, pdu.RoomId.ToString(), ct);
            var persisted = await WriteAsync(st, ctx, ct);
            foreach (var write in writes)
                await write(st, persisted.StreamOrdering);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.Events, persisted.StreamOrdering, audience) { RoomId = pdu.RoomId.ToString() });
            return persisted;
        }, ct);
        var origin = ctx.IsLocal ? MetricTags.LocalOrigin : MetricTags.RemoteOrigin;
        HomeserverMetrics.EventPersistDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, origin);
        HomeserverMetrics.EventsPersisted.Add(1, origin);
        live.EventPersisted();
        return result;
    }

    /// <summary>The members before the event, plus whom a membership event concerns: the members after it.</summary>
    private async Task<IReadOnlyCollection<string>> AudienceAsync(Pdu pdu, long? stateGroupBefore, CancellationToken ct)
    {
        var audience = stateGroupBefore is { } before
            ? (await members.AtAsync(before, ct)).Where(m => m.Membership is "join" or "invite").Select(m => m.UserId).ToHashSet()
            : [];
        if (pdu.Type == EventTypes.Member && pdu.StateKey is { } target)
            audience.Add(target);
        return audience;
    }

    private async Task<Persisted> WriteAsync(StreamTransaction st, IngestContext ctx, CancellationToken ct)
    {
        var (c, tx) = (st.Connection, st.Transaction);
        var (pdu, stateGroupBefore, backfillOrdering) = (ctx.Event, ctx.StateBefore?.Group, ctx.BackfillOrdering);
        var roomId = pdu.RoomId.ToString();
        var eventId = pdu.EventId.ToString();
        if (ctx.NewRoom is not null)
            await RoomStore.InsertAsync(c, tx, ctx.NewRoom, ct);
        var stream = backfillOrdering ?? await st.NextAsync(StreamNames.Events, ct);
        var group = stateGroupBefore ?? 0;
        if (pdu.IsState)
        {
            var key = new StateEventKey(pdu.Type, pdu.StateKey!);
            group = await StateGroupStore.CreateAsync(st, roomId, stateGroupBefore, new Dictionary<StateEventKey, string> { [key] = eventId }, ct);
            if (backfillOrdering is null)
            {
                await CurrentStateStore.SetStateAsync(c, tx, roomId, key, eventId, ct);
                await ApplyStateSideEffectsAsync(c, tx, pdu, stream, ct);
            }
        }
        var prev = pdu.PrevEvents.Select(e => e.ToString()).ToList();
        await EventStore.InsertAsync(c, tx, new EventRow
        {
            StreamOrdering = stream,
            EventId = eventId,
            RoomId = roomId,
            EventType = pdu.Type,
            StateKey = pdu.StateKey,
            Sender = pdu.Sender.ToString(),
            Depth = pdu.Depth,
            OriginServerTs = pdu.OriginServerTs,
            Body = JsonFields.String(pdu.Content, "body"),
            MediaUrl = JsonFields.String(pdu.Content, "url"),
            Json = pdu.Json.ToJsonString(),
            StateGroupBefore = stateGroupBefore,
            StateGroup = group,
            Withheld = ctx.Redaction == RedactionVerdict.OtherRoom,
        }, prev, ct);
        // Extremities that a rejected prev event was built on are covered by this event too.
        if (backfillOrdering is null)
            await RoomStore.AdvanceExtremitiesAsync(c, tx, roomId, eventId, ctx.StatePrevEvents is null ? prev : prev.Union(ctx.StatePrevEvents), ct);
        await BackwardExtremityStore.RecordAsync(c, tx, roomId, eventId, prev, stream, ct);
        await RedactAsync(c, tx, ctx, ct);
        if (pdu.Content["m.relates_to"] is System.Text.Json.Nodes.JsonObject rel
            && JsonFields.String(rel, "rel_type") is { } relType && JsonFields.String(rel, "event_id") is { } target)
            await RelationStore.InsertAsync(c, tx, eventId, target, relType, JsonFields.String(rel, "key"), ct);
        if (ctx.Txn is not null)
            await ClientTxnStore.InsertAsync(c, tx, ctx.Txn, eventId, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        return new Persisted(stream, group);
    }

    /// <summary>
    /// Applies a redaction the verdict lets apply, or records one whose target is not held yet; an event from elsewhere
    /// may be what such a redaction was waiting for. A local event is new, so nothing can have named it before.
    /// </summary>
    private static async Task RedactAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, IngestContext ctx, CancellationToken ct)
    {
        var pdu = ctx.Event;
        if (pdu.Redacts is { } redacts)
        {
            if (ctx.Redaction == RedactionVerdict.TargetUnknown)
                await AwaitedRedactionStore.AwaitAsync(c, tx, pdu, redacts, ct);
            else if (ctx.Redaction == RedactionVerdict.Applies
                && await EventStore.MarkRedactedAsync(c, tx, pdu.RoomId.ToString(), redacts.ToString(), pdu.EventId.ToString(), ct))
                await RelationStore.DeleteAsync(c, tx, redacts.ToString(), ct);
        }
        if (!ctx.IsLocal)
            await AwaitedRedactionStore.ArrivedAsync(c, tx, [pdu], ct);
    }

    /// <summary>What a state event that becomes current changes besides <c>current_state</c>: the membership index and the room's name.</summary>
    internal static async Task ApplyStateSideEffectsAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Pdu pdu, long stream, CancellationToken ct)
    {
        var roomId = pdu.RoomId.ToString();
        switch (pdu.Type)
        {
            case EventTypes.Member when JsonFields.String(pdu.Content, "membership") is { } membership:
                await CurrentStateStore.SetMembershipAsync(c, tx, roomId, pdu.StateKey!, membership, pdu.EventId.ToString(), stream, ct);
                break;
            case "m.room.name" when pdu.StateKey == "":
                await RoomStore.SetNameAsync(c, tx, roomId, JsonFields.String(pdu.Content, "name"), ct);
                break;
        }
    }
}
