using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// Answers notary queries (<c>/_matrix/key/v2/query</c>) as Synapse does: for each key asked for, the latest response
/// that carried it, from the cache, fetched from the server itself first when the cache has none valid until the time
/// asked for; signed by the server and by us. When the server cannot give a better one, the cached response is
/// answered even if it has expired, and a server that cannot be reached and has nothing cached is left out.
/// </summary>
public sealed class KeyQueryService(ServerIdentity server, SigningKey key, ServerKeyStore store, ServerKeyRefresher refresher, TimeProvider time)
{
    /// <summary>
    /// Servers per query. Generous, because a server asking its notary batches every server of a room it joins into
    /// one query; each one not cached costs at most one fetch a minute however often it is asked about.
    /// </summary>
    public const int MaxServers = 500;

    /// <summary>Servers fetched at once for one query.</summary>
    private const int Parallel = 8;

    /// <exception cref="MatrixException">More than <see cref="MaxServers"/> servers asked about.</exception>
    public async Task<JsonArray> QueryAsync(IReadOnlyList<KeyQuery> queries, CancellationToken ct)
    {
        if (queries.Count > MaxServers)
            throw MatrixException.InvalidParam($"At most {MaxServers} servers can be queried at once; {queries.Count} were asked about");
        using var gate = new SemaphoreSlim(Parallel);
        var answers = await Task.WhenAll(queries.Select(async q =>
        {
            await gate.WaitAsync(ct);
            try
            {
                return await AnswerAsync(q, ct);
            }
            finally
            {
                gate.Release();
            }
        }));
        return new JsonArray(answers.SelectMany(a => a).Select(a => (JsonNode?)a).ToArray());
    }

    private async Task<IEnumerable<JsonObject>> AnswerAsync(KeyQuery query, CancellationToken ct)
    {
        if (query.ServerName == server.ServerName)
            return [OwnKeyResponse.Build(server, key, time)];
        if (!ServerNames.IsValid(query.ServerName))
            return [];
        var minimum = query.MinimumValidUntilTs ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        var cached = await store.GetResponsesAsync(query.ServerName, ct);
        if (!Satisfies(cached, query.KeyIds, minimum))
        {
            await refresher.RefreshAsync(query.ServerName, query.KeyIds, KeyRefreshPurpose.NotaryQuery, ct);
            cached = await store.GetResponsesAsync(query.ServerName, ct);
        }
        var answered = query.KeyIds.Count == 0 ? cached : cached.Where(c => query.KeyIds.Contains(c.KeyId));
        // One key response carries several keys: each is answered once.
        return answered.GroupBy(c => c.Response.ToJsonString()).Select(g =>
        {
            var response = g.First().Response;
            JsonSigning.SignJson(response, server.ServerName, key);
            return response;
        }).ToList();
    }

    /// <summary>
    /// Whether the cache answers the query: each key asked for (the latest response when none is named) is cached in a
    /// response valid until <paramref name="minimumValidUntilTs"/>.
    /// </summary>
    private static bool Satisfies(IReadOnlyList<CachedKeyResponse> cached, IReadOnlyCollection<string> keyIds, long minimumValidUntilTs) =>
        keyIds.Count == 0
            ? cached.Count > 0 && cached[0].ValidUntilTs >= minimumValidUntilTs
            : keyIds.All(id => cached.Any(c => c.KeyId == id && c.ValidUntilTs >= minimumValidUntilTs));
}
