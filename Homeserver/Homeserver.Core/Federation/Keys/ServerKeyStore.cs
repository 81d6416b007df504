using Homeserver.Core.Encodings;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Federation.Keys;

/// <summary>The persistent cache of other servers' keys (<c>server_keys</c>).</summary>
public sealed class ServerKeyStore(Database db)
{
    private const string Select = """
        SELECT server_name AS ServerName, key_id AS KeyId, public_key AS PublicKey, valid_until_ts AS ValidUntilTs, expired_ts AS ExpiredTs
        FROM server_keys WHERE server_name = @ServerName AND key_id = @KeyId
        """;
    private const string Upsert = """
        INSERT INTO server_keys (server_name, key_id, public_key, valid_until_ts, expired_ts, fetched_ts)
        VALUES (@ServerName, @KeyId, @PublicKey, @ValidUntilTs, @ExpiredTs, @FetchedTs)
        ON CONFLICT (server_name, key_id) DO UPDATE SET public_key = excluded.public_key,
            valid_until_ts = excluded.valid_until_ts, expired_ts = excluded.expired_ts, fetched_ts = excluded.fetched_ts
        """;

    public async Task<ServerKey?> GetAsync(string serverName, string keyId, CancellationToken ct)
    {
        var row = await db.ReadAsync(c => c.FirstOrDefaultAsync<Row>(Select, new { ServerName = serverName, KeyId = keyId }, ct), ct);
        return row is null ? null : new ServerKey(row.ServerName, row.KeyId, UnpaddedBase64.Decode(row.PublicKey), row.ValidUntilTs, row.ExpiredTs);
    }

    public Task SaveAsync(IReadOnlyList<ServerKey> keys, long fetchedTs, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            foreach (var k in keys)
                await c.RunAsync(Upsert, new
                {
                    k.ServerName, k.KeyId, PublicKey = UnpaddedBase64.Encode(k.PublicKey), k.ValidUntilTs, k.ExpiredTs, FetchedTs = fetchedTs,
                }, ct, tx);
            return 0;
        }, ct);

    private sealed class Row
    {
        public string ServerName { get; init; } = "";
        public string KeyId { get; init; } = "";
        public string PublicKey { get; init; } = "";
        public long ValidUntilTs { get; init; }
        public long? ExpiredTs { get; init; }
    }
}
