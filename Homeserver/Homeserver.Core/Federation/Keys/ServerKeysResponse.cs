using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// Reads a server's key response (<c>/_matrix/key/v2/server</c>, or one entry of a notary's answer): it must be for
/// the server asked about and signed by every one of its current keys. The spec caps <c>valid_until_ts</c> at seven
/// days after it was fetched.
/// </summary>
public static class ServerKeysResponse
{
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(7);

    /// <summary>The keys of <paramref name="serverName"/> in <paramref name="response"/>; empty when it is malformed or not self-signed.</summary>
    public static IReadOnlyList<ServerKey> Read(JsonObject response, string serverName, long nowTs)
    {
        if (response["server_name"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || response["server_name"]!.GetValue<string>() != serverName
            || response["valid_until_ts"] is not JsonValue until || !until.TryGetValue(out long validUntil)
            || response["verify_keys"] is not JsonObject current || current.Count == 0)
            return [];
        validUntil = Math.Min(validUntil, nowTs + (long)MaxValidity.TotalMilliseconds);
        var keys = new List<ServerKey>();
        foreach (var (keyId, entry) in current)
        {
            if (Decode(entry) is not { } raw || !JsonSigning.VerifyJson(response, serverName, keyId, raw))
                return [];
            keys.Add(new ServerKey(serverName, keyId, raw, validUntil, null));
        }
        if (response["old_verify_keys"] is JsonObject old)
            foreach (var (keyId, entry) in old)
                if (Decode(entry) is { } raw && entry!["expired_ts"] is JsonValue expired && expired.TryGetValue(out long expiredTs))
                    keys.Add(new ServerKey(serverName, keyId, raw, validUntil, expiredTs));
        return keys;
    }

    /// <summary>
    /// A server's response as <paramref name="serverName"/> signed it, for the cache we answer notary queries from:
    /// a copy without the signatures others (a notary it came through) added.
    /// </summary>
    public static FetchedServerKeys? ReadFetched(JsonObject response, string serverName, long nowTs)
    {
        var keys = Read(response, serverName, nowTs);
        if (keys.Count == 0)
            return null;
        var own = (JsonObject)response.DeepClone();
        own["signatures"] = new JsonObject { [serverName] = response["signatures"]![serverName]!.DeepClone() };
        own.Remove("unsigned");
        return new FetchedServerKeys(own, keys);
    }

    private static byte[]? Decode(JsonNode? entry) =>
        entry?["key"] is JsonValue value && value.TryGetValue(out string? text) && UnpaddedBase64.TryDecode(text, out var raw) && raw.Length == 32 ? raw : null;
}
