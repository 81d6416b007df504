using Dapper;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Storage;

/// <summary>
/// Index choices SQLite's planner makes on the migrated schema for lookups done once per room of a sync, where a
/// scan of a user's whole history turns an initial sync quadratic (500 rooms took 13 s instead of 0.2 s). The
/// choice is SQLite's alone: PostgreSQL decides from its statistics.
/// </summary>
public sealed class QueryPlanTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Fact]
    public async Task TransactionIdsOfAPage_AreFoundByEventId_NotByScanningTheDevicesHistory()
    {
        var hs = await fixture.GetAsync("sqlite");
        var db = hs.Services.GetRequiredService<Database>();
        string[] page = ["$e"];
        var plan = await db.ReadAsync(async c => (await c.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN " + ClientTxnStore.SelectOfEvents(db.Dialect),
            new { UserId = "@a:test.local", DeviceId = "D", Ids = db.Dialect.ListParameter(page) })).ToList(), default);

        var search = Assert.Single(plan, row => row.Detail.Contains("client_txns", StringComparison.Ordinal));
        Assert.Contains("USING INDEX client_txns_event (event_id=? AND user_id=? AND device_id=?)", search.Detail, StringComparison.Ordinal);
    }
}
