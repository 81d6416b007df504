using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Spaces;

namespace Homeserver.Core.Federation.Spaces;

/// <summary>
/// Federation's <c>/hierarchy/{roomId}</c>: one room and its children, without walking further, as the asking server
/// may see them (it filters for its user). Children we do not hold are left out; those it may not see are named in
/// <c>inaccessible_children</c>, so it need not ask elsewhere.
/// </summary>
public sealed class FederationHierarchyService(SpaceRoomReader rooms, ServerAcls acls)
{
    /// <summary>Synapse's cap on the children one answer summarises.</summary>
    public const int MaxChildren = 50;

    public async Task<JsonObject> GetAsync(string origin, RoomId roomId, bool suggestedOnly, CancellationToken ct)
    {
        if (!await rooms.IsHeldAsync(roomId.ToString(), ct) || await rooms.ReadAsync(roomId.ToString(), ct) is not { } room)
            throw MatrixException.NotFound("Unknown room");
        await acls.EnsureAllowedAsync(roomId, origin, ct);
        // As Synapse answers: a room the server may not see is one we do not know.
        if (!await rooms.IsAccessibleToServerAsync(room, origin, ct))
            throw MatrixException.NotFound("Unknown room");

        var links = SpaceChildren.Suggested(room.Children, suggestedOnly).ToList();
        var children = new JsonArray();
        var inaccessible = new JsonArray();
        foreach (var link in links.Take(MaxChildren))
        {
            var childId = SpaceChildren.ChildOf(link);
            if (!await rooms.IsHeldAsync(childId, ct) || await rooms.ReadAsync(childId, ct) is not { } child)
                continue;
            if (await rooms.IsAccessibleToServerAsync(child, origin, ct))
                children.Add(child.Summary.DeepClone());
            else
                inaccessible.Add(childId);
        }
        var summary = (JsonObject)room.Summary.DeepClone();
        summary["children_state"] = new JsonArray(links.Select(l => (JsonNode?)l.DeepClone()).ToArray());
        return new JsonObject { ["room"] = summary, ["children"] = children, ["inaccessible_children"] = inaccessible };
    }
}
