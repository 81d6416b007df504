using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Encodings;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Keys;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// Asks the trusted notaries (<c>federation.trusted_key_servers</c>, in their order) for a server's keys with
/// <c>POST /_matrix/key/v2/query</c>. An answer counts only when the notary signed it, with its pinned key when one is
/// configured, otherwise with a key it publishes itself, and when the server itself signed it with every current key.
/// </summary>
public sealed class NotaryKeyFetcher(FederationClient client, FederationOptions options, ServerKeyStore store, ServerKeyFetcher direct,
    TimeProvider time, ILogger<NotaryKeyFetcher> log)
{
    /// <summary>The response with the latest <c>valid_until_ts</c>, from the first notary whose answer holds every key wanted; null if none answered.</summary>
    public async Task<FetchedServerKeys?> FetchAsync(string serverName, IReadOnlyCollection<string> keyIds, CancellationToken ct)
    {
        FetchedServerKeys? best = null;
        foreach (var notary in options.TrustedKeyServers.Where(n => n.ServerName != serverName))
        {
            var keys = new JsonObject();
            foreach (var id in keyIds)
                keys[id] = new JsonObject();
            var query = new JsonObject { ["server_keys"] = new JsonObject { [serverName] = keys } };
            try
            {
                var answer = await client.SendForJsonAsync(HttpMethod.Post, notary.ServerName, "/_matrix/key/v2/query", query, ct, ServerKeyFetcher.MaxResponseBytes);
                foreach (var entry in (answer["server_keys"] as JsonArray ?? []).OfType<JsonObject>())
                    if (ServerKeysResponse.ReadFetched(entry, serverName, time.GetUtcNow().ToUnixTimeMilliseconds()) is { } fetched
                        && (best is null || fetched.ValidUntilTs > best.ValidUntilTs) && await SignedByAsync(entry, notary, ct))
                        best = fetched;
            }
            catch (HttpRequestException e)
            {
                log.LogInformation("Notary {Notary} gave no keys of {Server}: {Reason}", notary.ServerName, serverName, e.Message);
            }
            if (best is not null && keyIds.All(id => best.Keys.Any(k => k.KeyId == id)))
                return best;
        }
        return best;
    }

    private async Task<bool> SignedByAsync(JsonObject response, TrustedKeyServerOptions notary, CancellationToken ct)
    {
        if (notary.KeyId is { } pinnedId)
            return JsonSigning.VerifyJson(response, notary.ServerName, pinnedId, UnpaddedBase64.Decode(notary.Key!));
        if (response["signatures"]?[notary.ServerName] is not JsonObject signatures)
            return false;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        IReadOnlyList<ServerKey>? published = null;
        foreach (var (keyId, _) in signatures)
        {
            var key = await store.GetAsync(notary.ServerName, keyId, ct);
            if (key is null || !key.IsValidAt(now))
            {
                if (published is null)
                {
                    // The notary's own keys come from the notary directly, never through notaries.
                    var fetched = await direct.FetchAsync(notary.ServerName, ct);
                    await store.SaveAsync(fetched.Keys, fetched, now, ct);
                    published = fetched.Keys;
                }
                key = published.FirstOrDefault(k => k.KeyId == keyId);
            }
            if (key is not null && key.IsValidAt(now) && JsonSigning.VerifyJson(response, notary.ServerName, keyId, key.PublicKey))
                return true;
        }
        return false;
    }
}
