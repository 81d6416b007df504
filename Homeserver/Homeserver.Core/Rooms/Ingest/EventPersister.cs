using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.Relations;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Writes one authorised event and everything derived from it in a single transaction: its place in the
/// timeline stream, the DAG edges and extremities, the state snapshot after it, current state and the
/// membership index, the client's transaction ID and the push actions of its recipients. A crash leaves all of
/// it or none of it.
/// </summary>
public sealed class EventPersister(StreamPublisher writer, SnapshotMembers members, TimeProvider time, Push.EventPushEvaluator push)
{
    public sealed record Persisted(long StreamOrdering, long StateGroup);

    /// <summary>
    /// Persists the event; once committed, the events stream tells everyone it concerns (the room's joined and
    /// invited members and a membership event's target), and the push-actions stream whom it notifies.
    /// </summary>
    public async Task<Persisted> PersistAsync(Pdu pdu, long? stateGroupBefore, ClientTxn? txn, RoomRecord? newRoom, CancellationToken ct)
    {
        var pushActions = await push.EvaluateAsync(pdu, stateGroupBefore, ct);
        // The members before the event, plus whom a membership event concerns, are the members after it.
        var audience = stateGroupBefore is { } before
            ? (await members.AtAsync(before, ct)).Where(m => m.Membership is "join" or "invite").Select(m => m.UserId).ToHashSet()
            : [];
        if (pdu.Type == EventTypes.Member && pdu.StateKey is { } target)
            audience.Add(target);
        return await writer.WriteAsync(async st =>
        {
            var persisted = await WriteAsync(st, pdu, stateGroupBefore, txn, newRoom, pushActions, ct);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.Events, persisted.StreamOrdering, audience) { RoomId = pdu.RoomId.ToString() });
            if (pushActions.Count > 0)
                st.PublishAfterCommit(new StreamUpdate(StreamNames.PushActions, persisted.StreamOrdering, pushActions.Select(a => a.UserId).Distinct().ToList()));
            return persisted;
        }, ct);
    }

    private async Task<Persisted> WriteAsync(StreamTransaction st, Pdu pdu, long? stateGroupBefore, ClientTxn? txn, RoomRecord? newRoom,
        IReadOnlyList<Push.PushActionsStore.Decision> pushActions, CancellationToken ct)
    {
            var (c, tx) = (st.Connection, st.Transaction);
            var roomId = pdu.RoomId.ToString();
            var eventId = pdu.EventId.ToString();
            if (newRoom is not null)
                await RoomStore.InsertAsync(c, tx, newRoom, ct);
            var stream = await st.NextAsync(StreamNames.Events, ct);
            var group = stateGroupBefore ?? 0;
            if (pdu.IsState)
            {
                var key = new StateEventKey(pdu.Type, pdu.StateKey!);
                group = await StateGroupStore.CreateAsync(st, roomId, stateGroupBefore, new Dictionary<StateEventKey, string> { [key] = eventId }, ct);
                await CurrentStateStore.SetStateAsync(c, tx, roomId, key, eventId, ct);
                await ApplyStateSideEffectsAsync(c, tx, pdu, stream, ct);
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
            }, prev, ct);
            await RoomStore.AdvanceExtremitiesAsync(c, tx, roomId, eventId, prev, ct);
            if (pdu.Redacts is { } redacts && await EventStore.MarkRedactedAsync(c, tx, roomId, redacts.ToString(), eventId, ct))
                await RelationStore.DeleteAsync(c, tx, redacts.ToString(), ct);
            if (pdu.Content["m.relates_to"] is System.Text.Json.Nodes.JsonObject rel
                && JsonFields.String(rel, "rel_type") is { } relType && JsonFields.String(rel, "event_id") is { } target)
                await RelationStore.InsertAsync(c, tx, eventId, target, relType, JsonFields.String(rel, "key"), ct);
            if (txn is not null)
                await ClientTxnStore.InsertAsync(c, tx, txn, eventId, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            await Push.PushActionsStore.InsertAsync(c, tx, roomId, eventId, stream, pushActions, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            return new Persisted(stream, group);
    }

    private static async Task ApplyStateSideEffectsAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Pdu pdu, long stream, CancellationToken ct)
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
