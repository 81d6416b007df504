using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;

namespace Homeserver.Core.Rooms.Relations;

/// <summary><c>/relations</c> and <c>/threads</c>: children of an event and a room's threads, filtered by history visibility.</summary>
public sealed class RelationReadService(RoomReadService reads, RelationStore relations, VisibilityService visibility, RoomEventGuard guard)
{
    public sealed record Page(IReadOnlyList<JsonObject> Chunk, string? NextBatch, string? PrevBatch);

    public async Task<Page> RelationsAsync(UserId userId, RoomId roomId, EventId eventId, string? relType, string? eventType,
        string? from, string? to, bool backwards, int limit, CancellationToken ct)
    {
        var version = await reads.VersionOfAsync(roomId, ct);
        await guard.VisibleAsync(userId, roomId, version, eventId, ct);
        limit = Math.Clamp(limit, 1, RoomReadService.MaxPageSize);
        long start = from is null ? (backwards ? long.MaxValue : 0) : StreamToken.Bound(from, upper: backwards);
        long stop = to is null ? (backwards ? 0 : long.MaxValue) : StreamToken.Bound(to, upper: !backwards);
        var fetched = backwards
            ? await relations.ChildrenAsync(roomId.ToString(), eventId.ToString(), relType, eventType, before: start, after: stop, backwards: true, limit, ct)
            : await relations.ChildrenAsync(roomId.ToString(), eventId.ToString(), relType, eventType, before: stop, after: start, backwards: false, limit, ct);
        var rows = PageBudget.Fit(fetched);
        var visible = await visibility.FilterAsync(userId, version, rows, ct);
        return new Page(await reads.FormatEventsAsync(userId, null, version, visible, ct), PageBudget.NextToken(fetched, rows, limit), from);
    }

    /// <summary>Thread roots, most recently active first; <paramref name="participatedOnly"/> keeps threads the user took part in.</summary>
    public async Task<Page> ThreadsAsync(UserId userId, RoomId roomId, bool participatedOnly, string? from, int limit, CancellationToken ct)
    {
        var version = await reads.VersionOfAsync(roomId, ct);
        await reads.EnsureCanReadAsync(userId, roomId, version, ct);
        limit = Math.Clamp(limit, 1, RoomReadService.MaxPageSize);
        var before = from is null ? long.MaxValue : StreamToken.Parse(from);
        var roots = await relations.ThreadRootsAsync(roomId.ToString(), before, limit, ct);
        var visible = await visibility.FilterAsync(userId, version, roots.Select(r => r.Root).ToList(), ct);
        var formatted = await reads.FormatEventsAsync(userId, null, version, visible, ct);
        var chunk = participatedOnly
            ? formatted.Where(e => e["unsigned"]?["m.relations"]?[RelationStore.Thread]?["current_user_participated"]?.GetValue<bool>() == true).ToList()
            : formatted;
        var next = roots.Count < limit ? null : StreamToken.Format(roots[^1].Latest);
        return new Page(chunk, next, null);
    }
}
