using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Visibility;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary><c>/context/{eventId}</c>: an event with the visible events around it and the room state at the last one.</summary>
public sealed class ContextReadService(RoomReadService reads, EventStore events, StateService state, VisibilityService visibility, RoomEventGuard guard,
    IHistoryBackfill backfill, TimeProvider time)
{
    public sealed record Context(JsonObject Event, IReadOnlyList<JsonObject> Before, IReadOnlyList<JsonObject> After, string Start, string End, IReadOnlyList<JsonObject> State);

    public async Task<Context> GetAsync(UserId userId, string? deviceId, RoomId roomId, EventId eventId, int limit, CancellationToken ct)
    {
        var version = await reads.VersionOfAsync(roomId, ct);
        // As Synapse answers: someone who never was in a room that is not world-readable is refused the room (403)
        // before any event is looked up, so the answer says nothing of the event.
        await reads.EnsureCanReadAsync(userId, roomId, version, ct);
        var row = await guard.VisibleAsync(userId, roomId, version, eventId, ct);
        if (row.StreamOrdering < await events.HistoryStartAsync(roomId.ToString(), ct))
            throw Errors.MatrixException.NotFound(RoomEventGuard.NotFound);
        limit = Math.Clamp(limit, 0, RoomReadService.MaxPageSize);
        var beforeCount = limit / 2;
        var afterCount = limit - beforeCount;
        if (beforeCount > 0)
            await backfill.BeforeAsync(roomId, row.StreamOrdering, beforeCount, ct);
        // Each side within the page budget, as a page of /messages: start and end continue from what was kept.
        var before = beforeCount == 0 ? [] : PageBudget.Fit(await events.PageAsync(roomId.ToString(), row.StreamOrdering, long.MinValue, backwards: true, beforeCount, ct));
        var after = afterCount == 0 ? [] : PageBudget.Fit(await events.PageAsync(roomId.ToString(), row.StreamOrdering, long.MaxValue, backwards: false, afterCount, ct));
        var visibleBefore = await visibility.FilterAsync(userId, version, before, ct);
        var visibleAfter = await visibility.FilterAsync(userId, version, after, ct);
        var last = after.Count > 0 ? after[^1] : row;
        var snapshot = last.StateGroup is { } g ? await state.GetGroupAsync(g, ct) : new Dictionary<AuthRules.StateEventKey, string>();
        var stateRows = (await events.GetManyAsync(snapshot.Values.ToList(), ct)).Values.OrderBy(r => r.StreamOrdering).ToList();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return new Context(
            (await reads.FormatEventsAsync(userId, deviceId, version, [row], ct))[0],
            await reads.FormatEventsAsync(userId, deviceId, version, visibleBefore, ct),
            await reads.FormatEventsAsync(userId, deviceId, version, visibleAfter, ct),
            StreamToken.Format(before.Count > 0 ? before[^1].StreamOrdering : row.StreamOrdering),
            StreamToken.Format(last.StreamOrdering),
            stateRows.Select(r => ClientEventFormatter.Format(r, version, now)).ToList());
    }
}
