using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Json;
using Homeserver.Core.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// The persistent cache of other servers' keys (<c>server_keys</c>) and, per key, of the latest response its server
/// signed that carried it (<c>server_key_responses</c>), which notary queries are answered from. Keys read are kept in
/// memory for <see cref="KeptInMemory"/>: every PDU received is checked against its origin's key, and the key rarely changes.
/// </summary>
public sealed class ServerKeyStore(Database db, IMemoryCache cache)
{
    /// <summary>
    /// How long a key read stays in memory. Saving a key on this node drops it at once; another node's save (a key
    /// that expired, or a later <c>valid_until_ts</c>) is seen after at most this long.
    /// </summary>
    public static readonly TimeSpan KeptInMemory = TimeSpan.FromSeconds(30);

    // Counts saves, so that a read which a save overlapped does not keep the value the save replaced.
    private long _saves;


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
    private const string SelectResponses = """
        SELECT key_id AS KeyId, response_json AS ResponseJson, valid_until_ts AS ValidUntilTs, fetched_ts AS FetchedTs
        FROM server_key_responses WHERE server_name = @ServerName ORDER BY fetched_ts DESC, key_id
        """;
    private const string UpsertResponse = """
        INSERT INTO server_key_responses (server_name, key_id, response_json, valid_until_ts, fetched_ts)
        VALUES (@ServerName, @KeyId, @ResponseJson, @ValidUntilTs, @FetchedTs)
        ON CONFLICT (server_name, key_id) DO UPDATE SET response_json = excluded.response_json,
            valid_until_ts = excluded.valid_until_ts, fetched_ts = excluded.fetched_ts
        """;

    public async Task<ServerKey?> GetAsync(string serverName, string keyId, CancellationToken ct)
    {
        if (cache.TryGetValue(CacheKey(serverName, keyId), out ServerKey? kept))
            return kept;
        var saves = Interlocked.Read(ref _saves);
        var row = await db.ReadAsync(c => c.FirstOrDefaultAsync<Row>(Select, new { ServerName = serverName, KeyId = keyId }, ct), ct);
        if (row is null)
            return null;
        var key = new ServerKey(row.ServerName, row.KeyId, UnpaddedBase64.Decode(row.PublicKey), row.ValidUntilTs, row.ExpiredTs);
        if (Interlocked.Read(ref _saves) == saves)
            cache.Set(CacheKey(serverName, keyId), key, KeptInMemory);
        return key;
    }

    private static (string, string, string) CacheKey(string serverName, string keyId) => ("server_key", serverName, keyId);

    /// <summary>
    /// For each key of <paramref name="serverName"/> seen, the latest response that carried it (with the server's
    /// signatures only), most recently fetched first; empty if none is cached.
    /// </summary>
    public async Task<IReadOnlyList<CachedKeyResponse>> GetResponsesAsync(string serverName, CancellationToken ct)
    {
        var rows = await db.ReadAsync(c => c.ListAsync<ResponseRow>(SelectResponses, new { ServerName = serverName }, ct), ct);
        return rows.Select(r => new CachedKeyResponse(r.KeyId, (JsonObject)JsonNode.Parse(r.ResponseJson)!, r.ValidUntilTs, r.FetchedTs)).ToList();
    }

    /// <summary>
    /// Saves keys and, when they came with one, the response that carried them, as the latest response of each of its
    /// keys (current and old); keys of the server it does not list keep theirs.
    /// </summary>
    public async Task SaveAsync(IReadOnlyList<ServerKey> keys, FetchedServerKeys? fetched, long fetchedTs, CancellationToken ct)
    {
        await db.WriteAsync(async (c, tx) =>
        {
            foreach (var k in keys)
                await c.RunAsync(Upsert, new
                {
                    k.ServerName, k.KeyId, PublicKey = UnpaddedBase64.Encode(k.PublicKey), k.ValidUntilTs, k.ExpiredTs, FetchedTs = fetchedTs,
                }, ct, tx);
            if (fetched is not null)
            {
                var json = CanonicalJson.EncodeToString(fetched.Response);
                foreach (var keyId in fetched.Keys.Select(k => k.KeyId).Distinct(StringComparer.Ordinal))
                    await c.RunAsync(UpsertResponse, new
                    {
                        ServerName = fetched.Response["server_name"]!.GetValue<string>(), KeyId = keyId, ResponseJson = json,
                        fetched.ValidUntilTs, FetchedTs = fetchedTs,
                    }, ct, tx);
            }
            return 0;
        }, ct);
        Interlocked.Increment(ref _saves);
        foreach (var k in keys)
            cache.Remove(CacheKey(k.ServerName, k.KeyId));
    }

    private sealed class ResponseRow
    {
        public string KeyId { get; init; } = "";
        public string ResponseJson { get; init; } = "";
        public long ValidUntilTs { get; init; }
        public long FetchedTs { get; init; }
    }

    private sealed class Row
    {
        public string ServerName { get; init; } = "";
        public string KeyId { get; init; } = "";
        public string PublicKey { get; init; } = "";
        public long ValidUntilTs { get; init; }
        public long? ExpiredTs { get; init; }
    }
}
