namespace Homeserver.Core.Rooms.Directory;

/// <summary>A page of the published room directory: the spec's <c>public_rooms_response</c>.</summary>
public sealed record PublicRoomsPage(IReadOnlyList<PublicRoomEntry> Chunk, string? NextBatch, string? PrevBatch, long TotalRoomCountEstimate);
