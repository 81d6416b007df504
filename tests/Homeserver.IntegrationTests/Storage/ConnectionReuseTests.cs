using System.Data.Common;
using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Homeserver.IntegrationTests.Storage;

/// <summary>
/// Connections and their prepared statements are reused across callers (SQLite keeps its own pool of open
/// connections with a statement cache): nothing one caller leaves behind may reach the next.
/// </summary>
public sealed class ConnectionReuseTests
{
    private const string SelectPart = "SELECT part FROM items WHERE k = @K";

    private static async Task<(Database Db, string DataDir)> NewDatabaseAsync(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        var db = new Database(options.Database, options.DataDir, NullLoggerFactory.Instance);
        await db.WriteAsync((c, tx) => c.RunAsync("CREATE TABLE items (k BIGINT PRIMARY KEY, part BIGINT NOT NULL)", null, default, tx), default);
        await db.WriteAsync(async (c, tx) =>
        {
            for (var k = 0L; k < 10; k++)
                await c.RunAsync("INSERT INTO items (k, part) VALUES (@K, @Part)", new { K = k, Part = k * 10 }, default, tx);
        }, default);
        return (db, options.DataDir);
    }

    private static Task<long?> PartAsync(Database db, long k) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<long?>(SelectPart, new { K = k }, default), default);

    private static Task<long> CountAsync(Database db) =>
        db.ReadAsync(c => c.ScalarAsync<long>("SELECT COUNT(*) FROM items", null, default), default);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SameSql_DifferentParameters_EachCallGetsItsOwnRows(string engine)
    {
        var (db, _) = await NewDatabaseAsync(engine);
        await using var _db = db;
        for (var round = 0; round < 3; round++)
            for (var k = 0L; k < 10; k++)
                Assert.Equal(k * 10, await PartAsync(db, k));
        Assert.Null(await PartAsync(db, 99));
        // Within one connection too, one statement after another.
        var parts = await db.ReadAsync(async c =>
        {
            var found = new List<long>();
            for (var k = 9L; k >= 0; k--)
                found.Add(await c.ScalarAsync<long>(SelectPart, new { K = k }, default));
            return found;
        }, default);
        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(k => k * 10L), parts);
    }

    // PostgreSQL reads an unbound "@K" as its absolute-value operator applied to column k, so this is SQLite's case.
    [Fact]
    public async Task Sqlite_SameSqlCalledWithoutAParameter_FailsInsteadOfReusingTheLastValue()
    {
        var (db, _) = await NewDatabaseAsync("sqlite");
        await using var _db = db;
        Assert.Equal(30, await PartAsync(db, 3));
        await Assert.ThrowsAnyAsync<Exception>(() => db.ReadAsync(c => c.FirstOrDefaultAsync<long?>(SelectPart, null, default), default));
        await Assert.ThrowsAnyAsync<Exception>(() => db.ReadAsync(async c =>
        {
            await c.FirstOrDefaultAsync<long?>(SelectPart, new { K = 4L }, default);
            return await c.FirstOrDefaultAsync<long?>(SelectPart, null, default);
        }, default));
        Assert.Equal(50, await PartAsync(db, 5));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task FailedStatement_DoesNotPoisonTheNextUseOfTheSameSql(string engine)
    {
        var (db, _) = await NewDatabaseAsync(engine);
        await using var _db = db;
        const string insert = "INSERT INTO items (k, part) VALUES (@K, @Part)";
        for (var round = 0; round < 3; round++)
        {
            // A primary-key clash fails mid-step; the same statement must then run cleanly.
            await Assert.ThrowsAnyAsync<DbException>(() => db.WriteAsync((c, tx) => c.RunAsync(insert, new { K = 1L, Part = 0L }, default, tx), default));
            await db.WriteAsync((c, tx) => c.RunAsync(insert, new { K = 100L + round, Part = 7L }, default, tx), default);
            // SQL that cannot even be prepared fails every time and harms nothing else.
            await Assert.ThrowsAnyAsync<DbException>(() => db.ReadAsync(c => c.ScalarAsync<long>("SELECT nope FROM items", null, default), default));
            Assert.Equal(10 + round + 1, await CountAsync(db));
        }
        Assert.Equal(10, await PartAsync(db, 1));
        Assert.Equal(7, await PartAsync(db, 102));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ConnectionReturnedWithATransactionOpen_IsRolledBack_AndTheNextCallerStartsClean(string engine)
    {
        var (db, _) = await NewDatabaseAsync(engine);
        await using var _db = db;
        for (var round = 0; round < 3; round++)
        {
            await using (var conn = await db.OpenAsync(default))
            {
                var tx = await conn.BeginTransactionAsync();
                await conn.RunAsync("INSERT INTO items (k, part) VALUES (@K, 1)", new { K = 200L + round }, default, tx);
                await conn.RunAsync("DELETE FROM items WHERE k = @K", new { K = (long)round }, default, tx);
                // Neither committed nor disposed: the connection goes back with the transaction open.
            }
            Assert.Equal(10, await CountAsync(db));
            Assert.Null(await PartAsync(db, 200 + round));
            Assert.Equal(round * 10, await PartAsync(db, round));
            // The writer can begin its own transaction on whichever connection it gets.
            await db.WriteAsync((c, tx) => c.RunAsync("UPDATE items SET part = part WHERE k = 0", null, default, tx), default);
        }
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ConcurrentCallers_GetSeparateConnections(string engine)
    {
        var (db, _) = await NewDatabaseAsync(engine);
        await using var _db = db;
        await using var writer = await db.OpenAsync(default);
        await using var tx = await writer.BeginTransactionAsync();
        await writer.RunAsync("DELETE FROM items", null, default, tx);
        Assert.Equal(0, await writer.ScalarAsync<long>("SELECT COUNT(*) FROM items", null, default, tx));
        // Every reader outside the transaction still sees all rows, so none was handed the writer's connection.
        var counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => db.ReadAsync(async c =>
        {
            await Task.Delay(20);
            return await c.ScalarAsync<long>("SELECT COUNT(*) FROM items", null, default);
        }, default))));
        Assert.All(counts, n => Assert.Equal(10, n));
        await tx.RollbackAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task CachedQuery_AfterTheSchemaChanges_SeesTheNewSchema(string engine)
    {
        var (db, _) = await NewDatabaseAsync(engine);
        await using var _db = db;
        const string selectAll = "SELECT * FROM items WHERE k = 1";
        Assert.Equal(2, await ColumnCountAsync());
        await db.WriteAsync((c, tx) => c.RunAsync("ALTER TABLE items ADD COLUMN extra BIGINT NOT NULL DEFAULT 5", null, default, tx), default);
        Assert.Equal(3, await ColumnCountAsync());
        Assert.Equal(5, await db.ReadAsync(c => c.ScalarAsync<long>("SELECT extra FROM items WHERE k = 1", null, default), default));

        Task<int> ColumnCountAsync() => db.ReadAsync(async c =>
            ((IDictionary<string, object>)(await c.FirstOrDefaultAsync<dynamic>(selectAll, null, default))!).Count, default);
    }

    [Fact]
    public async Task Sqlite_SecondQueryWhileAReaderIsOpen_RunsOnItsOwnStatement()
    {
        var (db, _) = await NewDatabaseAsync("sqlite");
        await using var _db = db;
        var pairs = await db.ReadAsync(async c =>
        {
            var found = new List<(long, long)>();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT k FROM items ORDER BY k";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var k = reader.GetInt64(0);
                // The same text as the open reader's, and another one.
                var again = await c.ListAsync<long>("SELECT k FROM items ORDER BY k", null, default);
                found.Add((k, again.Count + await c.ScalarAsync<long>(SelectPart, new { K = k }, default)));
            }
            return found;
        }, default);
        Assert.Equal(Enumerable.Range(0, 10).Select(k => ((long)k, 10L + k * 10)), pairs);
    }

    [Fact]
    public async Task Sqlite_Dispose_ClosesEveryConnection()
    {
        var (db, dataDir) = await NewDatabaseAsync("sqlite");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => PartAsync(db, i))));
        var wal = Path.Combine(dataDir, "homeserver.db-wal");
        Assert.True(File.Exists(wal));
        await db.DisposeAsync();
        // SQLite removes the write-ahead log when its last connection closes.
        Assert.False(File.Exists(wal));
    }
}
