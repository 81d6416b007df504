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
/// answered even if it has expired, and a server that cannot be reached and has nothing cached is left out. One query's
/// fetches are bounded in number, concurrency and time, because anyone may send it.
/// </summary>
public sealed class KeyQueryService(ServerIdentity server, SigningKey key, ServerKeyStore store, ServerKeyRefresher refresher, TimeProvider time)
{
    /// <summary>
    /// Servers per query. Generous, because a server asking its notary batches every server of a room it joins into
    /// one query; how many of them one query may have fetched is bounded below.
    /// </summary>
    public const int MaxServers = 500;

    /// <summary>Servers answered (and so fetched) at once for one query.</summary>
    private const int Parallel = 8;

    /// <summary>
    /// Servers one query may have fetched; the rest are answered from the cache only. The endpoint is public, so without
    /// it one request naming hundreds of servers that do not exist makes us reach out to each of them. A server joining
    /// a room asks again for what it still lacks, and the fetches this one started are cached by then.
    /// </summary>
    public const int MaxFetchedServers = 20;

    /// <summary>
    /// How long one query waits for its fetches before answering from the cache: servers that accept a connection and
    /// never answer would otherwise hold it for the federation request timeout each. A fetch still running goes on and
    /// is cached for the next query.
    /// </summary>
    public static readonly TimeSpan FetchBudget = TimeSpan.FromSeconds(5);

    /// <exception cref="MatrixException">More than <see cref="MaxServers"/> servers asked about.</exception>
    public async Task<JsonArray> QueryAsync(IReadOnlyList<KeyQuery> queries, CancellationToken ct)
    {
        if (queries.Count > MaxServers)
            throw MatrixException.InvalidParam($"At most {MaxServers} servers can be queried at once; {queries.Count} were asked about");
        using var gate = new SemaphoreSlim(Parallel);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(FetchBudget);
        var fetches = new FetchAllowance(MaxFetchedServers, budget.Token);
        var answers = await Task.WhenAll(queries.Select(async q =>
        {
            await gate.WaitAsync(ct);
            try
            {
                return await AnswerAsync(q, fetches, ct);
            }
            finally
            {
                gate.Release();
            }
        }));
        return new JsonArray(answers.SelectMany(a => a).Select(a => (JsonNode?)a).ToArray());
    }

    private async Task<IEnumerable<JsonObject>> AnswerAsync(KeyQuery query, FetchAllowance fetches, CancellationToken ct)
    {
        if (query.ServerName == server.ServerName)
            return [OwnKeyResponse.Build(server, key, time)];
        if (!ServerNames.IsValid(query.ServerName))
            return [];
        var minimum = query.MinimumValidUntilTs ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        var cached = await store.GetResponsesAsync(query.ServerName, ct);
        if (!Satisfies(cached, query.KeyIds, minimum) && fetches.TryTake())
        {
            await RefreshWithinBudgetAsync(query, fetches.Budget);
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

    private async Task RefreshWithinBudgetAsync(KeyQuery query, CancellationToken budget)
    {
        try
        {
            await refresher.RefreshAsync(query.ServerName, query.KeyIds, KeyRefreshPurpose.NotaryQuery, budget);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            // Out of time (or the caller left, which the next read notices): answered from what is cached.
        }
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
