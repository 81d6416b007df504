using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Json;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// The persistent cache of other servers' keys (<c>server_keys</c>) and of the latest response each server signed
/// (<c>server_key_responses</c>), which notary queries are answered from.
/// </summary>
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
    private const string SelectResponse = "SELECT response_json FROM server_key_responses WHERE server_name = @ServerName";
    private const string UpsertResponse = """
        INSERT INTO server_key_responses (server_name, response_json, valid_until_ts, fetched_ts)
        VALUES (@ServerName, @ResponseJson, @ValidUntilTs, @FetchedTs)
        ON CONFLICT (server_name) DO UPDATE SET response_json = excluded.response_json,
            valid_until_ts = excluded.valid_until_ts, fetched_ts = excluded.fetched_ts
        """;

    public async Task<ServerKey?> GetAsync(string serverName, string keyId, CancellationToken ct)
    {
        var row = await db.ReadAsync(c => c.FirstOrDefaultAsync<Row>(Select, new { ServerName = serverName, KeyId = keyId }, ct), ct);
        return row is null ? null : new ServerKey(row.ServerName, row.KeyId, UnpaddedBase64.Decode(row.PublicKey), row.ValidUntilTs, row.ExpiredTs);
    }

    /// <summary>The latest response <paramref name="serverName"/> signed, with its signatures only; null if none is cached.</summary>
    public async Task<JsonObject?> GetResponseAsync(string serverName, CancellationToken ct)
    {
        var json = await db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectResponse, new { ServerName = serverName }, ct), ct);
        return json is null ? null : JsonNode.Parse(json) as JsonObject;
    }

    /// <summary>Saves keys and, when they came with one, the response that carried them.</summary>
    public Task SaveAsync(IReadOnlyList<ServerKey> keys, FetchedServerKeys? fetched, long fetchedTs, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            foreach (var k in keys)
                await c.RunAsync(Upsert, new
                {
                    k.ServerName, k.KeyId, PublicKey = UnpaddedBase64.Encode(k.PublicKey), k.ValidUntilTs, k.ExpiredTs, FetchedTs = fetchedTs,
                }, ct, tx);
            if (fetched is not null)
                await c.RunAsync(UpsertResponse, new
                {
                    ServerName = fetched.Response["server_name"]!.GetValue<string>(), ResponseJson = CanonicalJson.EncodeToString(fetched.Response),
                    fetched.ValidUntilTs, FetchedTs = fetchedTs,
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
