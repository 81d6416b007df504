using System.Collections.Concurrent;
using Homeserver.Core.Cluster;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;

namespace Homeserver.Http.RateLimiting;

/// <summary>
/// Caps long-lived connections (WebSocket syncs) per client address, so one host cannot hold thousands of idle
/// sockets and starve everyone else of memory (reliability checklist row 92). With several nodes the cap counts the
/// connections of every node (<see cref="SharedConnectionSlots"/>); while Redis cannot say, this node's own.
/// </summary>
public sealed class ConnectionsPerAddressLimiter(LimitsOptions limits, SharedConnectionSlots? shared = null)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, int> _open = new();

    /// <summary>Counts one more connection from <paramref name="address"/> until the handle is disposed; 429 beyond the cap.</summary>
    public async Task<IAsyncDisposable> AcquireAsync(string? address, CancellationToken ct)
    {
        var key = address ?? "";
        var count = _open.AddOrUpdate(key, 1, (_, n) => n + 1);
        var local = new Slot(this, key, null);
        var across = shared is null ? null : await shared.TakeAsync(key, limits.MaxWebsocketsPerAddress, ct);
        if (across is { Taken: false } || (across is null && count > limits.MaxWebsocketsPerAddress))
        {
            await local.DisposeAsync();
            throw new RateLimitedException((long)RetryAfter.TotalMilliseconds, "limits.max_websockets_per_address");
        }
        return new Slot(this, key, across);
    }

    private void Release(string key)
    {
        // Removing the entry at zero keeps the map as small as the set of addresses with open connections.
        if (_open.AddOrUpdate(key, 0, (_, n) => n - 1) == 0)
            _open.TryRemove(new KeyValuePair<string, int>(key, 0));
    }

    private sealed class Slot(ConnectionsPerAddressLimiter owner, string key, SharedConnectionSlots.Slot? across) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
                return;
            owner.Release(key);
            if (across is not null)
                await across.DisposeAsync();
        }
    }
}
