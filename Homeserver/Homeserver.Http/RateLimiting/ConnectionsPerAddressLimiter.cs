using System.Collections.Concurrent;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;

namespace Homeserver.Http.RateLimiting;

/// <summary>
/// Caps long-lived connections (WebSocket syncs) per client address, so one host cannot hold thousands of idle
/// sockets and starve everyone else of memory (reliability checklist row 92).
/// </summary>
public sealed class ConnectionsPerAddressLimiter(LimitsOptions limits)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, int> _open = new();

    /// <summary>Counts one more connection from <paramref name="address"/> until the handle is disposed; 429 beyond the cap.</summary>
    public IDisposable Acquire(string? address)
    {
        var key = address ?? "";
        var count = _open.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (count > limits.MaxWebsocketsPerAddress)
        {
            Release(key);
            throw new RateLimitedException((long)RetryAfter.TotalMilliseconds, "limits.max_websockets_per_address");
        }
        return new Slot(this, key);
    }

    private void Release(string key)
    {
        // Removing the entry at zero keeps the map as small as the set of addresses with open connections.
        if (_open.AddOrUpdate(key, 0, (_, n) => n - 1) == 0)
            _open.TryRemove(new KeyValuePair<string, int>(key, 0));
    }

    private sealed class Slot(ConnectionsPerAddressLimiter owner, string key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                owner.Release(key);
        }
    }
}
