using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Cluster;

/// <summary>
/// Leases in the shared database, which make one node at a time run each singleton. Held for <see cref="Lifetime"/>
/// from each renewal, by the database's clock. A SQLite database has one node, which holds every lease.
/// </summary>
public sealed class Leases(Database db, WriterInstance writer)
{
    /// <summary>How long a lease lasts unrenewed: how long its work pauses when the node holding it dies.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    /// <summary>How often the holder renews, and how often the others try to take it.</summary>
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(1);

    // Taken when free or expired, renewed when ours; a row comes back only then.
    private const string Hold = """
        INSERT INTO leases (name, holder, expires_at) VALUES (@Name, @Holder, clock_timestamp() + make_interval(secs => @Seconds))
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE leases.holder = excluded.holder OR leases.expires_at < clock_timestamp()
        RETURNING holder
        """;

    private const string Release = "DELETE FROM leases WHERE name = @Name AND holder = @Holder";

    /// <summary>This process among the holders: its writer name, and what sets it apart from an earlier run under that name.</summary>
    public string Holder { get; } = $"{writer.Name}/{Guid.NewGuid():N}";

    /// <summary>Takes or renews the lease; false while another node holds it.</summary>
    public async Task<bool> TryHoldAsync(string name, CancellationToken ct) =>
        db.Dialect.Engine != DatabaseEngine.Postgres
        || await db.WriteAsync((c, tx) => c.FirstOrDefaultAsync<string>(Hold, new { Name = name, Holder, Seconds = Lifetime.TotalSeconds }, ct, tx), ct) is not null;

    /// <summary>Gives the lease up, so another node takes it at once rather than when it expires.</summary>
    public Task ReleaseAsync(string name, CancellationToken ct) =>
        db.Dialect.Engine != DatabaseEngine.Postgres ? Task.CompletedTask
            : db.WriteAsync((c, tx) => c.RunAsync(Release, new { Name = name, Holder }, ct, tx), ct);
}
