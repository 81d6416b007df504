using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Homeserver.IntegrationTests.Storage;

/// <summary>
/// The write contract both engines keep, whatever shares a transaction underneath (SQLite commits queued writes
/// together): a write's effects are all there once it returns, and a failed write leaves nothing behind and
/// takes no other write with it.
/// </summary>
public sealed class WriteTransactionTests
{
    private static async Task<Database> NewDatabaseAsync(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        var db = new Database(options.Database, options.DataDir, NullLoggerFactory.Instance);
        await db.WriteAsync((c, tx) => c.RunAsync("CREATE TABLE items (k BIGINT PRIMARY KEY, part BIGINT NOT NULL)", null, default, tx), default);
        return db;
    }

    private static Task InsertAsync(Database db, long k, long part, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.RunAsync("INSERT INTO items (k, part) VALUES (@K, @Part)", new { K = k, Part = part }, ct, tx), ct);

    private static Task<IReadOnlyList<long>> KeysAsync(Database db) =>
        db.ReadAsync(c => c.ListAsync<long>("SELECT k FROM items ORDER BY k", null, default), default);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ConcurrentWrites_SomeFailHalfWay_OnlyTheirOwnWritesAreUndone(string engine)
    {
        await using var db = await NewDatabaseAsync(engine);
        // Each write inserts two rows; every seventh throws between them, after its first row is in.
        var writes = Enumerable.Range(0, 60).Select(i => Task.Run(() => db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync("INSERT INTO items (k, part) VALUES (@K, 1)", new { K = i * 2L }, default, tx);
            if (i % 7 == 0)
                throw new InvalidOperationException($"write {i} gives up");
            await c.RunAsync("INSERT INTO items (k, part) VALUES (@K, 2)", new { K = i * 2L + 1 }, default, tx);
            return i;
        }, default))).ToList();
        foreach (var (write, i) in writes.Select((w, i) => (w, i)))
        {
            if (i % 7 == 0)
                Assert.Equal($"write {i} gives up", (await Assert.ThrowsAsync<InvalidOperationException>(() => write)).Message);
            else
                Assert.Equal(i, await write);
        }
        var expected = Enumerable.Range(0, 60).Where(i => i % 7 != 0).SelectMany(i => new[] { i * 2L, i * 2L + 1 });
        Assert.Equal(expected, await KeysAsync(db));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ConcurrentWrites_OneBreaksAConstraint_TheOthersCommit(string engine)
    {
        await using var db = await NewDatabaseAsync(engine);
        await InsertAsync(db, 1000, 0);
        var writes = Enumerable.Range(0, 40).Select(i => Task.Run(() => InsertAsync(db, i == 20 ? 1000 : i, 1))).ToList();
        for (var i = 0; i < writes.Count; i++)
        {
            if (i == 20)
                await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => writes[i]);
            else
                await writes[i];
        }
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i != 20).Select(i => (long)i).Append(1000), await KeysAsync(db));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Write_OnceAnswered_IsVisibleToEveryReader(string engine)
    {
        await using var db = await NewDatabaseAsync(engine);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await InsertAsync(db, i, 1);
            var seen = await db.ReadAsync(c => c.ScalarAsync<long>("SELECT COUNT(*) FROM items WHERE k = @K", new { K = (long)i }, default), default);
            Assert.Equal(1, seen);
        })));
        Assert.Equal(50, (await KeysAsync(db)).Count);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Write_CancelledBeforeItStarts_WritesNothing(string engine)
    {
        await using var db = await NewDatabaseAsync(engine);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => InsertAsync(db, 1, 1, cancelled.Token));
        Assert.Empty(await KeysAsync(db));
    }
}
