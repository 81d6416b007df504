using Homeserver.Core.Storage;

namespace Homeserver.Core.Admin.Overview;

/// <summary>The totals of the dashboard, in one read: each is a count or sum over a whole table, cheap at a few seconds apart.</summary>
public sealed class ServerOverviewStore(Database db)
{
    private const string SelectTotals = """
        SELECT
          (SELECT COUNT(*) FROM users) AS Users,
          (SELECT COUNT(*) FROM rooms) AS Rooms,
          CAST((SELECT COALESCE(SUM(size_bytes), 0) FROM media WHERE uploaded_ts IS NOT NULL)
            + (SELECT COALESCE(SUM(size_bytes), 0) FROM media_thumbnails) AS BIGINT) AS LocalMediaBytes,
          CAST((SELECT COALESCE(SUM(size_bytes), 0) FROM remote_media_cache)
            + (SELECT COALESCE(SUM(size_bytes), 0) FROM remote_media_thumbnails) AS BIGINT) AS RemoteMediaBytes,
          (SELECT COUNT(*) FROM federation_destinations) AS Destinations,
          (SELECT COUNT(*) FROM federation_destinations WHERE retry_interval > 0) AS DestinationsBackingOff
        """;

    public sealed class Totals
    {
        public long Users { get; set; }
        public long Rooms { get; set; }
        public long LocalMediaBytes { get; set; }
        public long RemoteMediaBytes { get; set; }
        public long Destinations { get; set; }
        public long DestinationsBackingOff { get; set; }
    }

    public Task<Totals> TotalsAsync(CancellationToken ct) =>
        db.ReadAsync(async c => (await c.FirstOrDefaultAsync<Totals>(SelectTotals, null, ct))!, ct);
}
