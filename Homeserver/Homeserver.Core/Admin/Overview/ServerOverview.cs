using Homeserver.Core.Observability;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Admin.Overview;

/// <summary>The console dashboard's figures: the database's totals and size, and this server's recent activity.</summary>
public sealed class ServerOverview(ServerOverviewStore store, Database db, LiveActivity live)
{
    public sealed record Figures(ServerOverviewStore.Totals Totals, long DatabaseBytes, string DatabaseEngine, LiveActivity.Snapshot Activity);

    public async Task<Figures> ReadAsync(CancellationToken ct) =>
        new(await store.TotalsAsync(ct), await db.SizeAsync(ct), db.Dialect.Engine == DatabaseEngine.Postgres ? "postgres" : "sqlite", live.Read());
}
