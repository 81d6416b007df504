using Homeserver.Core.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Homeserver.UnitTests.Storage;

/// <summary>Which connection a caller gets back from the pool, and when one is closed instead of kept.</summary>
public sealed class SqliteConnectionPoolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hs-pool-").FullName;
    private readonly List<SqliteConnection> _opened = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private SqliteConnectionPool NewPool(int maxIdle) => new(async ct =>
    {
        var conn = new SqliteConnection($"Data Source={Path.Combine(_dir, "pool.db")};Pooling=false");
        await conn.OpenAsync(ct);
        _opened.Add(conn);
        return conn;
    }, maxIdle, statementsPerConnection: 10);

    private static SqliteConnection Inner(System.Data.Common.DbConnection lease) => ((CachingSqliteConnection)lease).Inner;

    [Fact]
    public async Task ReturnedConnection_IsHandedOutAgain_WithItsStatements()
    {
        using var pool = NewPool(maxIdle: 4);
        SqliteConnection first;
        await using (var lease = await pool.RentAsync(default))
        {
            first = Inner(lease);
            Assert.Equal(7, await lease.ScalarAsync<long>("SELECT @X + 1", new { X = 6 }, default));
        }
        await using (var lease = await pool.RentAsync(default))
        {
            Assert.Same(first, Inner(lease));
            Assert.Equal(1, ((CachingSqliteConnection)lease).Statements.Count);
            Assert.Equal(9, await lease.ScalarAsync<long>("SELECT @X + 1", new { X = 8 }, default));
        }
        Assert.Single(_opened);
    }

    [Fact]
    public async Task ConnectionsBeyondTheIdleCap_AreClosedOnReturn()
    {
        using var pool = NewPool(maxIdle: 2);
        var leases = new List<System.Data.Common.DbConnection>();
        for (var i = 0; i < 4; i++)
            leases.Add(await pool.RentAsync(default));
        Assert.Equal(4, leases.Select(Inner).Distinct().Count());
        foreach (var lease in leases)
            await lease.DisposeAsync();
        Assert.Equal(2, pool.IdleCount);
        Assert.Equal(2, _opened.Count(c => c.State == System.Data.ConnectionState.Closed));
    }

    [Fact]
    public async Task Clear_ClosesIdleConnections_AndThoseOutWhenTheyComeBack()
    {
        using var pool = NewPool(maxIdle: 4);
        var idle = await pool.RentAsync(default);
        var idleInner = Inner(idle);
        await idle.DisposeAsync();
        var outDuringClear = await pool.RentAsync(default);
        var outInner = Inner(outDuringClear);
        var alsoIdle = await pool.RentAsync(default);
        await alsoIdle.DisposeAsync();
        pool.Clear();
        Assert.Equal(System.Data.ConnectionState.Open, outInner.State);
        await outDuringClear.DisposeAsync();
        Assert.Equal(System.Data.ConnectionState.Closed, outInner.State);
        Assert.Equal(System.Data.ConnectionState.Closed, idleInner.State);
        Assert.Equal(0, pool.IdleCount);
    }

    [Fact]
    public async Task LeaseDisposedTwice_ReturnsItsConnectionOnce()
    {
        using var pool = NewPool(maxIdle: 4);
        var lease = await pool.RentAsync(default);
        await lease.DisposeAsync();
        await lease.DisposeAsync();
        Assert.Equal(1, pool.IdleCount);
        await using var a = await pool.RentAsync(default);
        await using var b = await pool.RentAsync(default);
        Assert.NotSame(Inner(a), Inner(b));
    }
}
