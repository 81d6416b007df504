using Homeserver.Core.Storage;

namespace Homeserver.Core.Media.Previews;

/// <summary>Previews already made (<c>url_previews</c>), shared by every node of the server.</summary>
public sealed class UrlPreviewStore(Database db)
{
    public sealed record Entry(string Og, long FetchedTs, long ExpiresTs);

    // Synapse's history-aware lookup: the latest preview fetched by ts, else the first one fetched after it.
    private const string SelectAtOrBefore = """
        SELECT og AS Og, fetched_ts AS FetchedTs, expires_ts AS ExpiresTs FROM url_previews
        WHERE url = @Url AND fetched_ts <= @Ts ORDER BY fetched_ts DESC LIMIT 1
        """;
    private const string SelectAfter = """
        SELECT og AS Og, fetched_ts AS FetchedTs, expires_ts AS ExpiresTs FROM url_previews
        WHERE url = @Url AND fetched_ts > @Ts ORDER BY fetched_ts ASC LIMIT 1
        """;
    private const string Insert = """
        INSERT INTO url_previews (url, fetched_ts, expires_ts, og) VALUES (@Url, @FetchedTs, @ExpiresTs, @Og)
        ON CONFLICT (url, fetched_ts) DO NOTHING
        """;
    // Previews live at most a day, so expired ones go whenever a new one is stored rather than by a job of their own.
    private const string DeleteExpired = "DELETE FROM url_previews WHERE expires_ts < @Now";

    public Task<Entry?> GetAsync(string url, long ts, CancellationToken ct) =>
        db.ReadAsync(async c =>
            await c.FirstOrDefaultAsync<Entry>(SelectAtOrBefore, new { Url = url, Ts = ts }, ct)
            ?? await c.FirstOrDefaultAsync<Entry>(SelectAfter, new { Url = url, Ts = ts }, ct), ct);

    public Task AddAsync(string url, Entry entry, long now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync(DeleteExpired, new { Now = now }, ct, tx);
            await c.RunAsync(Insert, new { Url = url, entry.FetchedTs, entry.ExpiresTs, entry.Og }, ct, tx);
        }, ct);
}
