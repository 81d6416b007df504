using System.Collections.Concurrent;
using Lib.Net.Http.WebPush.Authentication;

namespace Homeserver.Core.Push.Delivery;

/// <summary>
/// Reuses each push service's VAPID token until it expires, as MSC4174 asks, so push services can cache
/// their check of its signature.
/// </summary>
public sealed class VapidTokenCache(TimeProvider time) : IVapidTokenCache
{
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new();

    public void Put(string audience, DateTimeOffset expiration, string token) => _tokens[audience] = (token, expiration);

    // A token that expires within the minute could lapse in transit; a fresh one is signed instead.
    public string? Get(string audience) =>
        _tokens.TryGetValue(audience, out var t) && t.Expires > time.GetUtcNow().AddMinutes(1) ? t.Token : null;
}
