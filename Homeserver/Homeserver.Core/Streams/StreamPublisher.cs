using Homeserver.Core.Storage;

namespace Homeserver.Core.Streams;

/// <summary>
/// Writes that move streams: runs the work in a database transaction and publishes the updates it queued only
/// once the transaction has committed, so a subscriber never hears of a write it cannot read, and a write that
/// rolls back (its own failure or the commit's) publishes nothing.
/// </summary>
public sealed class StreamPublisher(Database db, IStreamBus bus, WriterSlots slots)
{
    public async Task<T> WriteAsync<T>(Func<StreamTransaction, Task<T>> work, CancellationToken ct)
    {
        StreamTransaction? committed = null;
        T result;
        using (var slot = await slots.RentAsync(ct))
            result = await db.WriteAsync(async (c, tx) =>
            {
                // A new one per attempt: work that runs again must not publish the first attempt's updates.
                var st = new StreamTransaction(c, tx, slot.Writer);
                var r = await work(st);
                committed = st;
                return r;
            }, ct);
        foreach (var action in committed!.OnCommittedActions)
            action();
        if (committed.Pending.Count > 0)
            // The write has committed: a caller that gives up now must not stop the news of it.
            await bus.PublishAsync(committed.Pending, CancellationToken.None);
        return result;
    }

    public Task WriteAsync(Func<StreamTransaction, Task> work, CancellationToken ct) =>
        WriteAsync<bool>(async st => { await work(st); return true; }, ct);

    /// <summary>Publishes an update of a stream that lives in memory (typing): there is no transaction to wait for.</summary>
    public Task PublishAsync(StreamUpdate update) => bus.PublishAsync([update], CancellationToken.None);
}
