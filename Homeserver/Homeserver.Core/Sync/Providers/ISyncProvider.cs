using System.Text.Json.Nodes;

namespace Homeserver.Core.Sync.Providers;

/// <summary>
/// One stream's part of a sync response (rooms, account data, presence, to-device, device lists, key counts).
/// <see cref="SyncService"/> only assembles them, in the order they are registered.
/// </summary>
public interface ISyncProvider
{
    /// <summary>Adds this provider's part to <paramref name="response"/>; true when it is news the client must get (not an empty section).</summary>
    Task<bool> AddAsync(SyncContext ctx, JsonObject response, CancellationToken ct);

    /// <summary>A request from <paramref name="since"/> proves the client received what that token covered; a provider may drop it now.</summary>
    Task AcknowledgeAsync(SyncService.SyncRequest request, SyncToken since, CancellationToken ct) => Task.CompletedTask;
}
