namespace Homeserver.Core.Rooms.Spaces;

/// <summary>The client's <c>/hierarchy</c> parameters; <see cref="From"/> is a <c>next_batch</c> of the same walk.</summary>
public sealed record SpaceHierarchyRequest(bool SuggestedOnly, int? MaxDepth, int? Limit, string? From);

/// <summary>A page of the hierarchy: the rooms with their <c>children_state</c>, and the token for the next page, if any.</summary>
public sealed record SpaceHierarchyPage(IReadOnlyList<System.Text.Json.Nodes.JsonObject> Rooms, string? NextBatch);
