using System.Data.Common;

namespace Homeserver.Core.Streams;

/// <summary>
/// One write transaction of a <see cref="StreamPublisher"/>: its connection, the positions it draws, and the
/// updates to publish if, and only if, it commits.
/// </summary>
public sealed class StreamTransaction(DbConnection connection, DbTransaction transaction, WriterInstance writer)
{
    private readonly List<StreamUpdate> _pending = [];
    private readonly List<Action> _onCommitted = [];

    public DbConnection Connection => connection;
    public DbTransaction Transaction => transaction;

    internal IReadOnlyList<StreamUpdate> Pending => _pending;
    internal IReadOnlyList<Action> OnCommittedActions => _onCommitted;

    /// <summary>The next position of <paramref name="stream"/>, visible to readers when this transaction commits.</summary>
    public Task<long> NextAsync(string stream, CancellationToken ct) => StreamAllocator.NextAsync(connection, transaction, writer, stream, ct);

    /// <summary>Queues an update for the bus; it is published after the commit and dropped with a rollback.</summary>
    public void PublishAfterCommit(StreamUpdate update) => _pending.Add(update);

    /// <summary>
    /// Runs <paramref name="action"/> once the transaction has committed and before its updates are published: what
    /// this process must already hold in memory when a subscriber reacts (a revoked session, say). Never on rollback.
    /// </summary>
    public void OnCommitted(Action action) => _onCommitted.Add(action);
}
