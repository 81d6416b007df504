using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Presence;

namespace Homeserver.Core.Sync.Legacy;

/// <summary>
/// The presence the deprecated <c>/initialSync</c> endpoints list: the current presence of the people the user shares
/// a room with, the user's own always among it (offline for an account that never synced), in the legacy format.
/// </summary>
public sealed class LegacyPresence(PresenceService presence, UserStore users, TimeProvider time)
{
    /// <param name="members">
    /// Whose presence to list, a room's members: each of them, offline for one that never synced (as Synapse lists
    /// every member); everyone the user may see when null.
    /// </param>
    public async Task<JsonArray> CurrentAsync(UserId userId, IReadOnlySet<string>? members, CancellationToken ct)
    {
        var events = (await presence.ChangedForAsync(userId, 0, long.MaxValue, ct))
            .Where(e => members?.Contains((string)e["sender"]!) ?? true).ToList();
        var listed = events.Select(e => (string)e["sender"]!).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in (members ?? new HashSet<string> { userId.ToString() }).Where(m => !listed.Contains(m)).ToList())
            if (UserId.TryParse(missing, out var member))
                events.Add(new JsonObject
                {
                    ["type"] = "m.presence",
                    ["sender"] = missing,
                    ["content"] = await NeverSyncedAsync(userId, member.Value, ct),
                });
        return new JsonArray(events.Select(e => (JsonNode)LegacyFormat.Event(e)).ToArray());
    }

    // An account that never synced has no presence stored: offline, last active when it was created.
    private async Task<JsonObject> NeverSyncedAsync(UserId viewer, UserId userId, CancellationToken ct)
    {
        var content = await presence.GetContentAsync(viewer, userId, ct);
        if (!content.ContainsKey("last_active_ago") && await users.GetAsync(userId.ToString(), ct) is { } user)
            content["last_active_ago"] = Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - user.CreatedTs);
        return content;
    }
}
