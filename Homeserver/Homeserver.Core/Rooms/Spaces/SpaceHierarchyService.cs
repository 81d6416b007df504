using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;

namespace Homeserver.Core.Rooms.Spaces;

/// <summary>
/// The client's <c>/hierarchy</c>: the space tree under a room, depth first in the children's order, each room once,
/// only the rooms the user could peek or join. Rooms we hold are read here; others are asked of the servers their
/// links name (<see cref="IRemoteSpaceHierarchy"/>), as Synapse does.
/// </summary>
public sealed class SpaceHierarchyService(SpaceRoomReader rooms, IRemoteSpaceHierarchy remote, ServerIdentity server)
{
    /// <summary>Synapse's cap and default page size.</summary>
    public const int MaxLimit = 50;

    private sealed record Entry(string RoomId, IReadOnlyList<string> Via, int Depth, JsonObject? KnownSummary);

    /// <summary>A room's part in the walk: null when unknown; <see cref="Visible"/> false when the user may not see it.</summary>
    private sealed record Summarised(
        bool Visible, JsonObject Summary, IReadOnlyList<JsonObject> Children,
        IReadOnlyDictionary<string, JsonObject> ChildSummaries, IReadOnlySet<string> InaccessibleChildren);

    public async Task<SpaceHierarchyPage> GetAsync(UserId userId, RoomId rootId, SpaceHierarchyRequest request, CancellationToken ct)
    {
        if (request.Limit is <= 0)
            throw MatrixException.InvalidParam("limit must be greater than zero");
        if (request.MaxDepth is < 0)
            throw MatrixException.InvalidParam("max_depth must be a non-negative integer");
        var walk = SpaceHierarchyToken.WalkOf(userId.ToString(), rootId.ToString(), request.SuggestedOnly, request.MaxDepth);
        var skip = request.From is null ? 0 : SpaceHierarchyToken.GivenBefore(request.From, walk);
        var limit = Math.Min(request.Limit ?? MaxLimit, MaxLimit);

        var rootVia = rootId.ServerName is { } origin && origin != server.ServerName ? new[] { origin } : [];
        var root = new Entry(rootId.ToString(), rootVia, 0, null);
        var rootSummary = await SummariseAsync(userId, root, request, ct) ?? throw MatrixException.NotFound("Room not found");
        if (!rootSummary.Visible)
            throw MatrixException.Forbidden("You may not view this room's hierarchy: you are not in it and it cannot be previewed");

        var queue = new Stack<Entry>([root]);
        var processed = new HashSet<string>(StringComparer.Ordinal);
        var page = new List<JsonObject>();
        var seen = 0;
        while (queue.Count > 0 && page.Count < limit)
        {
            var entry = queue.Pop();
            if (!processed.Add(entry.RoomId))
                continue;
            var room = ReferenceEquals(entry, root) ? rootSummary : await SummariseAsync(userId, entry, request, ct);
            if (room is not { Visible: true })
                continue;
            if (seen++ >= skip)
            {
                var chunk = (JsonObject)room.Summary.DeepClone();
                chunk["children_state"] = new JsonArray(room.Children.Select(c => (JsonNode?)c.DeepClone()).ToArray());
                page.Add(chunk);
            }
            if (request.MaxDepth is { } max && entry.Depth >= max)
                continue;
            // Pushed last to first, so the first child is walked next.
            foreach (var link in room.Children.Reverse())
            {
                var child = SpaceChildren.ChildOf(link);
                if (!room.InaccessibleChildren.Contains(child))
                    queue.Push(new Entry(child, SpaceChildren.Via(link), entry.Depth + 1, room.ChildSummaries.GetValueOrDefault(child)));
            }
        }
        return new SpaceHierarchyPage(page, queue.Count > 0 ? new SpaceHierarchyToken(seen, walk).Format() : null);
    }

    private async Task<Summarised?> SummariseAsync(UserId userId, Entry entry, SpaceHierarchyRequest request, CancellationToken ct)
    {
        if (await rooms.IsHeldAsync(entry.RoomId, ct))
        {
            if (await rooms.ReadAsync(entry.RoomId, ct) is not { } local)
                return null;
            var visible = await rooms.IsAccessibleToUserAsync(local, userId, ct);
            return new Summarised(visible, local.Summary, SpaceChildren.Suggested(local.Children, request.SuggestedOnly).ToList(),
                new Dictionary<string, JsonObject>(), new HashSet<string>());
        }

        // A room the parent's server already summarised needs no request of its own, unless its children are wanted.
        Summarised? room;
        if (entry.KnownSummary is { } known && (!IsSpace(known) || (request.MaxDepth is { } max && entry.Depth >= max)))
            room = new Summarised(true, known, [], new Dictionary<string, JsonObject>(), new HashSet<string>());
        else if (await remote.AskAsync(entry.RoomId, entry.Via, request.SuggestedOnly, ct) is { } answer)
            room = new Summarised(true, answer.Summary, SpaceChildren.Suggested(answer.Children, request.SuggestedOnly).ToList(),
                answer.ChildSummaries, answer.InaccessibleChildren);
        else
            return null;
        return room with { Visible = await IsRemoteAccessibleAsync(userId, entry.RoomId, room.Summary, ct) };
    }

    /// <summary>
    /// Another server showed us the room, which says only that some user of ours could see it. The user can when it is
    /// open (a summary without a join rule counts as public, as Synapse reads it), when they are joined to a room it
    /// admits the members of, or when they are joined or invited themselves.
    /// </summary>
    private async Task<bool> IsRemoteAccessibleAsync(UserId userId, string roomId, JsonObject summary, CancellationToken ct)
    {
        if (JsonFields.String(summary, "join_rule") is null or "public" or "knock" or "knock_restricted"
            || summary["world_readable"] is JsonValue w && w.TryGetValue(out bool readable) && readable)
            return true;
        if (summary["allowed_room_ids"] is JsonArray allowed)
            foreach (var id in allowed)
                if (id is JsonValue v && v.TryGetValue(out string? allowedRoom) && await rooms.MembershipAsync(allowedRoom, userId, ct) == "join")
                    return true;
        return await rooms.MembershipAsync(roomId, userId, ct) is "join" or "invite";
    }

    private static bool IsSpace(JsonObject summary) => JsonFields.String(summary, "room_type") == LocalSpaceRoom.SpaceType;
}
