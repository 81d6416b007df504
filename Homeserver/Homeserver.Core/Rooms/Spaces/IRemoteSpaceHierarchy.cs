using System.Text.Json.Nodes;

namespace Homeserver.Core.Rooms.Spaces;

/// <summary>A room we do not hold, asked of the servers a space names for it (federation's <c>/hierarchy</c>).</summary>
public interface IRemoteSpaceHierarchy
{
    /// <summary>The first usable answer of <paramref name="via"/>'s servers (at most three are asked); null when none gave one.</summary>
    Task<RemoteSpaceRoom?> AskAsync(string roomId, IReadOnlyList<string> via, bool suggestedOnly, CancellationToken ct);
}

/// <summary>
/// Another server's answer for a room: its summary (without <c>children_state</c>), its usable child links in order,
/// the summaries it gave of the children, and the children it says we cannot see.
/// </summary>
public sealed record RemoteSpaceRoom(
    JsonObject Summary,
    IReadOnlyList<JsonObject> Children,
    IReadOnlyDictionary<string, JsonObject> ChildSummaries,
    IReadOnlySet<string> InaccessibleChildren);
