using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// Fetches a room's history that this server lacks from the other servers in it, before a client pages back into it
/// (<c>/messages</c>, <c>/context</c>). Federation implements it; the timeline reads do not know federation.
/// </summary>
public interface IHistoryBackfill
{
    /// <summary>
    /// When a page of at most <paramref name="limit"/> events before <paramref name="before"/> (a stream position) reaches
    /// the start of what the room's timeline holds here, asks other servers for the events before it and stores those
    /// that pass the checks, within a bounded time; returns once done or out of time, never failing the read.
    /// </summary>
    Task BeforeAsync(RoomId roomId, long before, int limit, CancellationToken ct);
}
