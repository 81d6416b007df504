using Homeserver.Core.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Homeserver.UnitTests.Storage;

/// <summary>The statement cache of one SQLite connection: reuse, its bound, and what it must not hand out.</summary>
public sealed class SqliteStatementCacheTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public SqliteStatementCacheTests()
    {
        _connection.Open();
        // SQLitePCL hides the connection's statement list unless asked; the tests count prepared statements with it.
        _connection.Handle!.enable_sqlite3_next_stmt(true);
    }

    public void Dispose() => _connection.Dispose();

    private int PreparedStatementsOnTheConnection()
    {
        var count = 0;
        for (var stmt = SQLitePCL.raw.sqlite3_next_stmt(_connection.Handle, null); stmt is not null && !stmt.IsInvalid;
             stmt = SQLitePCL.raw.sqlite3_next_stmt(_connection.Handle, stmt))
            count++;
        return count;
    }

    private static long Run(CachedStatement statement, long x)
    {
        statement.Parameters.Clear();
        statement.Parameters.AddWithValue("@X", x);
        return (long)statement.ExecuteScalar()!;
    }

    [Fact]
    public void SameSql_IsPreparedOnce_AndAnswersEachBinding()
    {
        using var cache = new SqliteStatementCache(_connection, 10);
        for (var x = 0L; x < 5; x++)
            Assert.Equal(x * 2, Run(cache.Get("SELECT @X * 2")!, x));
        Assert.Same(cache.Get("SELECT @X * 2"), cache.Get("SELECT @X * 2"));
        Assert.Equal(1, cache.Count);
        Assert.Equal(1, PreparedStatementsOnTheConnection());
    }

    [Fact]
    public void BeyondItsCapacity_TheLeastRecentlyUsedIsFinalized()
    {
        using var cache = new SqliteStatementCache(_connection, 3);
        var first = cache.Get("SELECT @X + 1")!;
        Run(first, 1);
        for (var i = 2; i <= 4; i++)
            Run(cache.Get($"SELECT @X + {i}")!, 1);
        Assert.Equal(3, cache.Count);
        Assert.Equal(3, PreparedStatementsOnTheConnection());
        Assert.NotSame(first, cache.Get("SELECT @X + 1"));
    }

    [Fact]
    public void RecentlyUsed_SurvivesEviction()
    {
        using var cache = new SqliteStatementCache(_connection, 2);
        var kept = cache.Get("SELECT @X + 1")!;
        cache.Get("SELECT @X + 2");
        Assert.Same(kept, cache.Get("SELECT @X + 1"));
        cache.Get("SELECT @X + 3");
        Assert.Same(kept, cache.Get("SELECT @X + 1"));
        Assert.Equal(4, Run(kept, 3));
    }

    [Fact]
    public void StatementWithAReaderOpen_IsNotHandedOut_UntilTheLeaseEnds()
    {
        using var cache = new SqliteStatementCache(_connection, 1);
        var statement = cache.Get("SELECT 1 UNION ALL SELECT 2")!;
        var reader = statement.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Null(cache.Get("SELECT 1 UNION ALL SELECT 2"));
        // Nor is it evicted from under its reader.
        Assert.Null(cache.Get("SELECT 3"));
        cache.EndLease();
        Assert.True(reader.IsClosed);
        Assert.Same(statement, cache.Get("SELECT 1 UNION ALL SELECT 2"));
    }

    [Fact]
    public void EndLease_DropsTheLastCallersParameters()
    {
        using var cache = new SqliteStatementCache(_connection, 10);
        var statement = cache.Get("SELECT @X * 2")!;
        Run(statement, 21);
        cache.EndLease();
        Assert.Empty(statement.Parameters);
        Assert.Throws<InvalidOperationException>(() => statement.ExecuteScalar());
    }
}
