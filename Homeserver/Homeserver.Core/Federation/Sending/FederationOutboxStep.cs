using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Observability;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Federation.Sending;

/// <summary>
/// Queues each persisted event for the other servers of its room, in the transaction that persists it, so an event
/// is committed with its deliveries or not at all. The destinations are the servers with a joined member in the
/// room's current state after the event, plus, for a membership event but an invite, the target's server (the kick
/// or ban that removes its last member reaches it; an invite went to it through <c>/invite</c>, as in Synapse). Never our own server nor the sender's: the sender's server
/// made the event, so an event received from it is not sent back. Only events of our users go out, and the joins,
/// leaves and knocks other servers made through our handshakes (<c>send_join</c> and the like), which the room's other
/// servers can learn only from us; other servers' events are theirs to send (as in Synapse, which relays nothing else).
/// </summary>
public sealed class FederationOutboxStep(ServerIdentity server, FederationOptions options, FederationSender sender) : IEventTransactionStep
{
    public Task<Func<StreamTransaction, long, Task>?> PrepareAsync(IngestContext ctx, CancellationToken ct)
    {
        var (pdu, stateGroupBefore) = (ctx.Event, ctx.StateBefore?.Group);
        if (!options.Enabled || (pdu.Sender.ServerName != server.ServerName && !HandshakeMembership.Is(pdu)))
            return Task.FromResult<Func<StreamTransaction, long, Task>?>(null);
        return Task.FromResult<Func<StreamTransaction, long, Task>?>(async (st, streamOrdering) =>
        {
            var roomId = pdu.RoomId.ToString();
            var destinations = (await CurrentStateStore.JoinedServersAsync(st.Connection, st.Transaction, roomId, ct)).ToHashSet(StringComparer.Ordinal);
            // An invite reached its server through /invite already, which signed it; that server holds no room to put it in.
            if (pdu.Type == EventTypes.Member && UserId.TryParse(pdu.StateKey, out var target) && JsonFields.String(pdu.Content, "membership") != "invite")
                destinations.Add(target.Value.ServerName);
            destinations.Remove(server.ServerName);
            destinations.Remove(pdu.Sender.ServerName);
            if (destinations.Count == 0)
                return;
            await FederationOutboxStore.QueuePduAsync(st.Connection, st.Transaction, destinations, streamOrdering, roomId, pdu.EventId.ToString(), ct);
            st.OnCommitted(() =>
            {
                HomeserverMetrics.FederationPdusQueued.Add(destinations.Count);
                sender.Wake(destinations);
            });
        });
    }
}
