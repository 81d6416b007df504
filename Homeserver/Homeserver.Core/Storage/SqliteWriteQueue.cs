using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Homeserver.Core.Observability;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Storage;

/// <summary>
/// SQLite's one writer as one loop with group commit: write transactions queue here, and the loop runs everything
/// queued so far in one transaction, each caller's work inside its own savepoint so a failure undoes only that
/// caller's writes. A caller is answered only after the commit that holds its writes, so an acknowledged write is
/// as durable as before. Under load this replaces one commit per write by one per batch, and above all keeps the
/// writer busy: with a gate handed from caller to caller, every hand-over waited in the thread pool's queue behind
/// the very syncs the writes had woken, and throughput collapsed (docs/performance.md). When nothing is queued
/// and no batch runs, a write runs at once on its caller's thread, sparing a quiet server the two hops through
/// the loop.
/// </summary>
internal sealed class SqliteWriteQueue : IAsyncDisposable
{
    /// <summary>Bounds the wait of a batch's first caller for the batch's last.</summary>
    private const int MaxBatch = 32;
    private const string Savepoint = "queued_write";

    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly ILogger _log;
    // Held by whoever is writing: the loop for a batch, or a caller writing inline.
    private readonly SemaphoreSlim _writer = new(1, 1);
    // Writes in the channel; a single-reader channel does not count them itself.
    private int _queued;
    private readonly Task _loop;

    public SqliteWriteQueue(Func<CancellationToken, Task<DbConnection>> open, ILogger log)
    {
        _open = open;
        _log = log;
        _loop = Task.Run(RunAsync);
    }

    public bool Running => !_loop.IsCompleted;

    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var item = new Item<T>(work, ct);
        // Nothing waits, so nothing is overtaken: write now rather than wake the loop and be woken by it.
        if (Volatile.Read(ref _queued) == 0 && _writer.Wait(0, ct))
        {
            try
            {
                await RunBatchAsync([item]);
            }
            finally
            {
                _writer.Release();
            }
            return await item.Task;
        }
        Interlocked.Increment(ref _queued);
        HomeserverMetrics.SqliteWritesQueued.Add(1);
        if (!_queue.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref _queued);
            HomeserverMetrics.SqliteWritesQueued.Add(-1);
            throw new ObjectDisposedException(nameof(SqliteWriteQueue));
        }
        return await item.Task;
    }

    private async Task RunAsync()
    {
        try
        {
            await RunLoopAsync();
        }
        catch (Exception e)
        {
            // Nothing in the loop is meant to throw; if it does, every queued write waits for ever, so say so loudly.
            _log.LogCritical(e, "The SQLite writer loop stopped; queued writes will not complete");
            throw;
        }
    }

    private async Task RunLoopAsync()
    {
        var batch = new List<Item>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            await _writer.WaitAsync();
            try
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
                {
                    Interlocked.Decrement(ref _queued);
                    HomeserverMetrics.SqliteWritesQueued.Add(-1);
                    if (item.Cancellation.IsCancellationRequested)
                        item.Cancel();
                    else
                        batch.Add(item);
                }
                if (batch.Count > 0)
                    await RunBatchAsync(batch);
            }
            finally
            {
                _writer.Release();
            }
        }
    }

    private async Task RunBatchAsync(List<Item> batch)
    {
        var committed = new List<Item>(batch.Count);
        try
        {
            await using var conn = await _open(CancellationToken.None);
            await using var tx = await conn.BeginTransactionAsync();
            // A lone write needs no savepoint: if it fails, the whole transaction is its own to roll back.
            var savepoints = batch.Count > 1;
            foreach (var item in batch)
            {
                if (savepoints)
                    await tx.SaveAsync(Savepoint);
                try
                {
                    await item.RunAsync(conn, tx);
                }
                catch (Exception e)
                {
                    if (savepoints)
                        await tx.RollbackAsync(Savepoint);
                    item.Fail(e);
                    continue;
                }
                if (savepoints)
                    await tx.ReleaseAsync(Savepoint);
                committed.Add(item);
            }
            if (committed.Count == 0)
                return;
            var commitStart = Stopwatch.GetTimestamp();
            await tx.CommitAsync();
            HomeserverMetrics.SqliteCommitDuration.Record(Stopwatch.GetElapsedTime(commitStart).TotalSeconds);
            HomeserverMetrics.SqliteBatchSize.Record(batch.Count);
        }
        catch (Exception e)
        {
            // Opening, beginning or committing the transaction failed, not a caller's own work: every caller gets the
            // error, and the log says once that it was the database's.
            _log.LogError(e, "A SQLite write transaction of {Count} writes failed; each of their callers gets the error", batch.Count);
            foreach (var item in batch)
                item.Fail(e);
            return;
        }
        foreach (var item in committed)
            item.Complete();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private abstract class Item(CancellationToken cancellation)
    {
        public CancellationToken Cancellation { get; } = cancellation;
        public abstract Task RunAsync(DbConnection conn, DbTransaction tx);
        public abstract void Complete();
        public abstract void Fail(Exception e);
        public abstract void Cancel();
    }

    private sealed class Item<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct) : Item(ct)
    {
        // Callers continue on the thread pool, never inline on the writer loop.
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _done.Task;

        public override async Task RunAsync(DbConnection conn, DbTransaction tx) => _result = await work(conn, tx);

        public override void Complete() => _done.TrySetResult(_result);

        public override void Fail(Exception e)
        {
            if (e is OperationCanceledException && Cancellation.IsCancellationRequested)
                _done.TrySetCanceled(Cancellation);
            else
                _done.TrySetException(e);
        }

        public override void Cancel() => _done.TrySetCanceled(Cancellation);
    }
}
