using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Sending;
using Homeserver.Core.Presence;

namespace Homeserver.Core.Federation.Edus;

/// <summary>Sends our users' presence changes as <c>m.presence</c> EDUs to the servers that share a room with them, and only those.</summary>
public sealed class FederationPresenceRelay(EduDestinations destinations, FederationEduQueue queue, FederationOptions options) : IPresenceRelay
{
    public async Task ChangedAsync(string userId, string state, string? statusMsg, long lastActiveAgo, bool currentlyActive, CancellationToken ct)
    {
        if (!options.Enabled)
            return;
        foreach (var destination in await destinations.SharingARoomWithAsync(userId, ct))
        {
            var entry = new JsonObject
            {
                ["user_id"] = userId,
                ["presence"] = state,
                ["last_active_ago"] = lastActiveAgo,
                ["currently_active"] = currentlyActive,
            };
            if (statusMsg is not null)
                entry["status_msg"] = statusMsg;
            await queue.EnqueueAsync(destination, EduTypes.Presence, new JsonObject { ["push"] = new JsonArray(entry) }, ct);
        }
    }
}
