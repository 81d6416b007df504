using System.Text.Json.Nodes;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Presence;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;

namespace Homeserver.Core.Sync.Legacy;

/// <summary>
/// The deprecated <c>GET /events</c> stream: everything after a token, flat, each event with its <c>room_id</c>.
/// Its tokens are sync tokens. Unlike <c>/sync</c>, which shows only the newest events of a busy room, it pages
/// the timeline from the oldest event on, <c>limit</c> at a time, so a client that follows it misses nothing;
/// typing, receipts, presence and account data come from a <c>/sync</c> round over the same positions, which
/// also does the waiting. With <c>room_id</c> it shows only that room, which a non-member may follow (peek) when
/// the room is world-readable: then the room's events, receipts and typing and its members' presence wake the wait,
/// and those are shown with its events.
/// </summary>
public sealed class LegacyEventStream(SyncService sync, EventStore events, CurrentStateStore current, RoomReadService reads,
    VisibilityService visibility, SyncNotifier notifier, TypingService typing, ReceiptService receipts, PresenceService presence)
{
    public const int DefaultLimit = 10;

    // The timeline is read here, so the sync round only needs to tell that the rooms changed, not show them.
    /// <summary>
    /// Where a call starts: now, a token of ours, or — as Synapse's one token format allows — a room's pagination token
    /// (a room <c>/initialSync</c>'s <c>messages.end</c>, which peeking clients pass on), which bounds the newest page
    /// from above (events before it), so the stream goes on with the event at it; the other streams start from now.
    /// </summary>
    private async Task<SyncToken> StartAsync(string? from, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(from))
            return await sync.CurrentTokenAsync(ct);
        if (!from.Contains('_'))
            return (await sync.CurrentTokenAsync(ct)).With(Streams.StreamNames.Events, Math.Max(0, StreamToken.Parse(from) - 1));
        return SyncToken.Parse(from);
    }

    private static readonly SyncFilter RoundFilter = SyncFilter.FromJson("""{"room":{"timeline":{"limit":1},"state":{"types":[]}}}""");

    public async Task<JsonObject> NextAsync(UserId userId, string deviceId, string? from, RoomId? roomId, int limit, TimeSpan timeout,
        CancellationToken ct)
    {
        if (roomId is { } readable)
            await reads.EnsureCanReadAsync(userId, readable, await reads.VersionOfAsync(readable, ct), ct);
        var peeked = roomId is { } r && !await reads.IsJoinedAsync(r, userId, ct) ? roomId : null;
        // Watched before the round reads its version, so news committed from here on wakes it.
        using var watch = peeked is { } watched ? notifier.WatchRoom(watched.ToString(), userId.ToString()) : null;
        var start = await StartAsync(from, ct);
        // The round filter shows no timeline, so a room that already has news since the start answers at once.
        if (roomId is { } room && (await events.PageAsync(room.ToString(), start.Events, long.MaxValue, backwards: false, 1, ct)).Count > 0)
            timeout = TimeSpan.Zero;
        // Acknowledging a token here would drop to-device messages that /events never shows.
        var request = new SyncService.SyncRequest(userId, deviceId, start, RoundFilter, false)
        {
            ConfirmsDelivery = false,
            // The round shows a member's news only: a peeked room's news ends the wait here.
            NewsElsewhere = peeked is { } p ? (upto, ct) => PeekNewsAsync(userId, p, start, upto, ct) : null,
        };
        var round = await sync.SyncAsync(request, timeout, ct);
        var upto = round.NextBatch;
        var rows = start.Events < upto.Events ? await events.RangeAsync(start.Events, upto.Events, limit, ct) : [];
        // A full page stops the events stream at its last event, so the next call goes on from there.
        var end = rows.Count == limit ? upto.With(Streams.StreamNames.Events, rows[^1].StreamOrdering) : upto;
        var chunk = new JsonArray();
        foreach (var e in await TimelineAsync(userId, deviceId, roomId, rows, ct))
            chunk.Add(LegacyFormat.Event(e));
        foreach (var e in Extras(round.Response, roomId))
            chunk.Add(LegacyFormat.Event(e));
        if (peeked is { } peek)
            foreach (var e in await PeekExtrasAsync(userId, peek, start, upto, ct))
                chunk.Add(LegacyFormat.Event(e));
        // The start is the token as the client gave it, so it can tell which call an answer belongs to.
        return new JsonObject { ["start"] = string.IsNullOrEmpty(from) ? start.ToString() : from, ["end"] = end.ToString(), ["chunk"] = chunk };
    }

    private async Task<IEnumerable<JsonObject>> TimelineAsync(UserId userId, string deviceId, RoomId? onlyRoom, IReadOnlyList<EventRow> rows, CancellationToken ct)
    {
        var mine = (await current.MembershipsOfUserAsync(userId.ToString(), ct)).Select(m => m.RoomId).ToHashSet(StringComparer.Ordinal);
        var shown = new List<(long Ordering, JsonObject Event)>();
        foreach (var room in rows.GroupBy(r => r.RoomId))
        {
            if (onlyRoom is { } only ? room.Key != only.ToString() : !mine.Contains(room.Key))
                continue;
            var version = await reads.VersionOfAsync(RoomId.Parse(room.Key), ct);
            var list = room.ToList();
            // An invite is shown to the invitee, who is not yet in the room the history rules ask about.
            var visible = (await visibility.FilterAsync(userId, version, list, ct)).Select(r => r.EventId).ToHashSet(StringComparer.Ordinal);
            var keep = list.Where(r => visible.Contains(r.EventId) || (r.EventType == EventTypes.Member && r.StateKey == userId.ToString())).ToList();
            var formatted = await reads.FormatEventsAsync(userId, deviceId, version, keep, ct);
            shown.AddRange(keep.Select((r, i) => (r.StreamOrdering, formatted[i])));
        }
        return shown.OrderBy(s => s.Ordering).Select(s => s.Event);
    }

    private async Task<bool> PeekNewsAsync(UserId userId, RoomId roomId, SyncToken start, SyncToken upto, CancellationToken ct) =>
        (start.Events < upto.Events && (await events.PageAsync(roomId.ToString(), start.Events, upto.Events + 1, backwards: false, 1, ct)).Count > 0)
        || (await PeekExtrasAsync(userId, roomId, start, upto, ct)).Count > 0;

    /// <summary>
    /// What a non-member following a world-readable room sees besides its events, which no sync round shows them:
    /// the room's typing and receipts, and its joined members' presence, changed in the window.
    /// </summary>
    private async Task<IReadOnlyList<JsonObject>> PeekExtrasAsync(UserId userId, RoomId roomId, SyncToken start, SyncToken upto, CancellationToken ct)
    {
        var room = roomId.ToString();
        var extras = new List<JsonObject>();
        var joined = (await current.MembersAsync(room, ct)).Where(m => m.Membership == "join").Select(m => m.UserId).ToHashSet(StringComparer.Ordinal);
        extras.AddRange((await presence.ChangedAsync(start.Presence, upto.Presence, ct)).Where(e => joined.Contains((string)e["sender"]!)));
        if (await receipts.ChangedAsync(room, userId, start.Receipts, upto.Receipts, ct) is { } receipt)
            extras.Add(Labelled(receipt, room));
        // A typing position beyond the current one comes from before a restart: everything typing is news again.
        if (typing.ChangedSince(room, start.Typing <= upto.Typing ? start.Typing : 0) is { } typists)
            extras.Add(new JsonObject
            {
                ["type"] = "m.typing",
                ["room_id"] = room,
                ["content"] = new JsonObject { ["user_ids"] = new JsonArray(typists.Select(u => (JsonNode)JsonValue.Create(u)).ToArray()) },
            });
        return extras;
    }

    private static JsonObject Labelled(JsonObject e, string roomId)
    {
        var copy = e.DeepClone().AsObject();
        copy["room_id"] = roomId;
        return copy;
    }

    /// <summary>The round's ephemeral events, presence and account data, flattened, room events labelled with their room.</summary>
    private static IEnumerable<JsonObject> Extras(JsonObject response, RoomId? onlyRoom)
    {
        if (response["rooms"]?["join"] is JsonObject joined)
            foreach (var (room, section) in joined)
            {
                if (onlyRoom is { } only && room != only.ToString())
                    continue;
                foreach (var key in new[] { "ephemeral", "account_data" })
                    foreach (var e in section?[key]?["events"]?.AsArray() ?? [])
                        if (e is JsonObject o)
                            yield return Labelled(o, room);
            }
        if (onlyRoom is not null)
            yield break;
        foreach (var key in new[] { "presence", "account_data" })
            foreach (var e in response[key]?["events"]?.AsArray() ?? [])
                if (e is JsonObject o)
                    yield return o.DeepClone().AsObject();
    }
}
