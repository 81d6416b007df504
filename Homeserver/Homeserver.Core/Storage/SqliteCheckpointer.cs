using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Homeserver.Core.Storage;

/// <summary>
/// Copies the SQLite write-ahead log back into the database file in the background. SQLite's automatic
/// checkpoint runs inside the commit that crosses its threshold, on the single writer, with an fsync of the
/// database file: every second or so one send waited for it, and so did every write queued behind it, which
/// made most of the delivery tail (docs/performance.md). A passive checkpoint on its own connection lets
/// writers and readers go on meanwhile; committed transactions are durable in the log either way.
/// </summary>
internal sealed class SqliteCheckpointer : IAsyncDisposable
{
    /// <summary>Turns the automatic checkpoint off on a connection, since this class does the work.</summary>
    public const string DisableAutomatic = "PRAGMA wal_autocheckpoint=0;";

    private const string Checkpoint = "PRAGMA wal_checkpoint(PASSIVE)";
    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly CancellationTokenSource _stop = new();
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;

    public SqliteCheckpointer(Func<CancellationToken, Task<DbConnection>> open, TimeSpan interval)
    {
        _open = open;
        _timer = new PeriodicTimer(interval);
        _loop = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    await using var conn = await _open(_stop.Token);
                    await conn.RunAsync(Checkpoint, null, _stop.Token);
                }
                // A checkpoint that could not run (the file busy or gone) is retried on the next tick; until then
                // the log only grows.
                catch (SqliteException)
                {
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _timer.Dispose();
        _stop.Dispose();
    }
}
