using System.Threading.Channels;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// Notes each room whose <c>m.room.guest_access</c> stops being <c>can_join</c>, once the change commits, for
/// <see cref="GuestEvictionWorker"/>. Whoever changed the setting, here or on another server, the event's ingest
/// runs this step.
/// </summary>
public sealed class GuestEvictionQueue : IEventTransactionStep
{
    private readonly Channel<RoomId> _rooms = Channel.CreateUnbounded<RoomId>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<RoomId> Reader => _rooms.Reader;

    public Task<Func<StreamTransaction, long, Task>?> PrepareAsync(IngestContext ctx, CancellationToken ct)
    {
        var (pdu, stateGroupBefore) = (ctx.Event, ctx.StateBefore?.Group);
        if (pdu.Type != EventTypes.GuestAccess || pdu.StateKey != "" || GuestJoinPolicy.AllowsGuests(pdu))
            return Task.FromResult<Func<StreamTransaction, long, Task>?>(null);
        return Task.FromResult<Func<StreamTransaction, long, Task>?>((st, _) =>
        {
            st.OnCommitted(() => _rooms.Writer.TryWrite(pdu.RoomId));
            return Task.CompletedTask;
        });
    }
}
