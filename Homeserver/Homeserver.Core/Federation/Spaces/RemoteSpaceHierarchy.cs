using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.Spaces;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Spaces;

/// <summary>
/// Asks other servers for a room's place in a space (<c>/_matrix/federation/v1/hierarchy/{roomId}</c>). Answers are
/// kept five minutes, as Synapse keeps them, so the pages of one walk and the walks of several users ask once.
/// </summary>
public sealed class RemoteSpaceHierarchy(FederationClient client, ServerIdentity server, IMemoryCache cache, ILogger<RemoteSpaceHierarchy> log)
    : IRemoteSpaceHierarchy
{
    private const int MaxServersAsked = 3;
    private static readonly TimeSpan Kept = TimeSpan.FromMinutes(5);

    public async Task<RemoteSpaceRoom?> AskAsync(string roomId, IReadOnlyList<string> via, bool suggestedOnly, CancellationToken ct)
    {
        var key = ("space_hierarchy", roomId, suggestedOnly);
        if (cache.TryGetValue(key, out RemoteSpaceRoom? known))
            return known;
        var path = $"/_matrix/federation/v1/hierarchy/{Uri.EscapeDataString(roomId)}?suggested_only={(suggestedOnly ? "true" : "false")}";
        foreach (var destination in via.Where(s => s != server.ServerName).Distinct(StringComparer.Ordinal).Take(MaxServersAsked))
        {
            try
            {
                if (Read(roomId, await client.SendForJsonAsync(HttpMethod.Get, destination, path, null, ct)) is { } answer)
                {
                    cache.Set(key, answer, Kept);
                    return answer;
                }
                log.LogInformation("{Server} answered the hierarchy of {Room} with something unusable", destination, roomId);
            }
            catch (HttpRequestException e)
            {
                log.LogInformation("Asking {Server} for the hierarchy of {Room} failed: {Reason}", destination, roomId, e.Message);
            }
        }
        return null;
    }

    /// <summary>The answer when it is one for the room asked; malformed links and child summaries are left out.</summary>
    private static RemoteSpaceRoom? Read(string roomId, JsonObject answer)
    {
        if (answer["room"] is not JsonObject room || JsonFields.String(room, "room_id") != roomId)
            return null;
        var links = room["children_state"] is JsonArray state
            ? SpaceChildren.Ordered(state.OfType<JsonObject>().Where(SpaceChildren.IsUsable).Select(l => (JsonObject)l.DeepClone()))
            : [];
        var summary = (JsonObject)room.DeepClone();
        summary.Remove("children_state");
        var children = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (answer["children"] is JsonArray given)
            foreach (var child in given.OfType<JsonObject>())
                if (JsonFields.String(child, "room_id") is { } id)
                    children.TryAdd(id, (JsonObject)child.DeepClone());
        var inaccessible = answer["inaccessible_children"] is JsonArray ids
            ? ids.Select(i => i is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : [];
        return new RemoteSpaceRoom(summary, links, children, inaccessible);
    }
}
