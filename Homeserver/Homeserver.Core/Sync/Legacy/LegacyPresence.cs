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
    /// <param name="shown">Whose presence to list, e.g. a room's members; everyone the user may see when null.</param>
    public async Task<JsonArray> CurrentAsync(UserId userId, Func<string, bool>? shown, CancellationToken ct)
    {
        var events = (await presence.ChangedForAsync(userId, 0, long.MaxValue, ct)).ToList();
        if (!events.Any(e => (string?)e["sender"] == userId.ToString()))
            events.Add(new JsonObject
            {
                ["type"] = "m.presence",
                ["sender"] = userId.ToString(),
                ["content"] = await OwnAsync(userId, ct),
            });
        return new JsonArray(events.Where(e => shown?.Invoke((string)e["sender"]!) ?? true)
            .Select(e => (JsonNode)LegacyFormat.Event(e)).ToArray());
    }

    // An account that never synced has no presence stored: offline, last active when it was created.
    private async Task<JsonObject> OwnAsync(UserId userId, CancellationToken ct)
    {
        var content = await presence.GetContentAsync(userId, userId, ct);
        if (!content.ContainsKey("last_active_ago") && await users.GetAsync(userId.ToString(), ct) is { } user)
            content["last_active_ago"] = Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - user.CreatedTs);
        return content;
    }
}
