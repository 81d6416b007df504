using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// Makes a room joined over federation known here, in one transaction, from the state and auth chain the resident
/// server sent (verified): the room's row, every event as an outlier, a snapshot of the state that our join is then
/// built on, and that state as the room's current state with its membership index. Our join goes in after it,
/// through <see cref="EventIngest"/>, as the first event of the room's timeline here.
/// </summary>
public sealed class RemoteRoomSeeder(StreamPublisher streams, TimeProvider time)
{
    private const string SelectRoom = "SELECT room_id FROM rooms WHERE room_id = @RoomId";

    /// <summary>The stored state, for the join's <see cref="IngestContext.StateBefore"/>.</summary>
    public Task<RoomState> SeedAsync(RoomId roomId, RoomVersion version, JoinStateVerifier.VerifiedState verified, CancellationToken ct) =>
        streams.WriteAsync(async st =>
        {
            var (c, tx) = (st.Connection, st.Transaction);
            var room = roomId.ToString();
            await RoomStore.LockAsync(c, tx, room, ct);
            var create = verified.State[new StateEventKey(EventTypes.Create, "")];
            // A room we were in before (left, or invited to) keeps its row.
            if (await c.FirstOrDefaultAsync<string>(SelectRoom, new { RoomId = room }, ct, tx) is null)
                await RoomStore.InsertAsync(c, tx, new RoomRecord
                {
                    RoomId = room, RoomVersion = version.Id, Creator = create.Sender.ToString(), CreatedTs = create.OriginServerTs,
                }, ct);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await OutlierStore.InsertManyAsync(c, tx, verified.Events.Values.ToList(), now, ct);
            var map = verified.State.ToDictionary(kv => kv.Key, kv => kv.Value.EventId.ToString());
            var group = await StateGroupStore.CreateAsync(st, room, null, map, ct);
            foreach (var (key, ev) in verified.State)
            {
                await CurrentStateStore.SetStateAsync(c, tx, room, key, ev.EventId.ToString(), ct);
                // The members' rows have no position of their own: none of these events is in our timeline.
                await EventPersister.ApplyStateSideEffectsAsync(c, tx, ev, 0, ct);
            }
            return new RoomState(map, group);
        }, ct);
}
