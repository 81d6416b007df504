using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// Answers notary queries (<c>/_matrix/key/v2/query</c>): each server's latest response from the cache, fetched from
/// the server itself when the cache has none that holds the keys asked for until the time asked for, signed by the
/// server and by us. A server that cannot be reached and has nothing cached is left out, as the spec says.
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
        return new JsonArray(answers.OfType<JsonNode>().ToArray());
    }

    private async Task<JsonObject?> AnswerAsync(KeyQuery query, CancellationToken ct)
    {
        if (query.ServerName == server.ServerName)
            return OwnKeyResponse.Build(server, key, time);
        if (!ServerNames.IsValid(query.ServerName))
            return null;
        var minimum = query.MinimumValidUntilTs ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        var cached = await store.GetResponseAsync(query.ServerName, ct);
        if (cached is null || !Satisfies(cached, query.KeyIds, minimum))
        {
            await refresher.RefreshAsync(query.ServerName, query.KeyIds, viaNotaries: false, ct);
            cached = await store.GetResponseAsync(query.ServerName, ct);
        }
        if (cached is null)
            return null;
        JsonSigning.SignJson(cached, server.ServerName, key);
        return cached;
    }

    private static bool Satisfies(JsonObject response, IReadOnlyCollection<string> keyIds, long minimumValidUntilTs) =>
        response["valid_until_ts"]!.GetValue<long>() >= minimumValidUntilTs
        && keyIds.All(id => response["verify_keys"]?[id] is not null || response["old_verify_keys"]?[id] is not null);
}
