using Homeserver.Core.Events;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Work another domain must do in the transaction that persists an event, so that it is committed with the event
/// or not at all (push actions: a crash after the commit must not lose a notification). Registered in the
/// container; <see cref="EventPersister"/> runs every one without knowing the domains.
/// </summary>
public interface IEventTransactionStep
{
    /// <summary>
    /// Reads what it needs before the transaction opens and returns the write to make inside it (given the event's
    /// stream position), or null when there is nothing to write.
    /// </summary>
    Task<Func<StreamTransaction, long, Task>?> PrepareAsync(IngestContext ctx, CancellationToken ct);
}
